package dev.mailsync.outbox;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What an SMTP server's answer means for an outbox item: from the reply code and text (Microsoft's enhanced status
 * codes such as {@code 5.7.139} included) to a {@link SmtpFailure} that says whether to retry and whether the
 * server may have taken the mail. Pure: {@link SmtpSubmitter} hands it what Angus reported.
 */
final class SmtpReplies {

    private static final Pattern REPLY = Pattern.compile("\\b([45][0-9]{2})[ -]((?:[245])\\.[0-9]{1,3}\\.[0-9]{1,3})?");

    private SmtpReplies() {
    }

    /** The sign-in was refused; {@code reply} is the server's answer to AUTH (may be null). */
    static SmtpFailure authFailure(String reply) {
        if (reply != null && reply.contains("5.7.139")) {
            return SmtpFailure.permanent("smtp_auth_disabled", "Microsoft refused SMTP AUTH for this mailbox ("
                    + reply + "). An administrator must enable authenticated SMTP (SMTP AUTH) for the mailbox or the "
                    + "tenant (https://aka.ms/smtp_auth_disabled).");
        }
        if (reply != null && reply.startsWith("4")) {
            return SmtpFailure.retryable("smtp_busy", "The mail server is busy: " + reply);
        }
        return SmtpFailure.permanent("smtp_token_rejected", "The mail server rejected the sign-in (" + reply
                + "). The mailbox may lack the SMTP.Send permission: reconnect it to grant it.");
    }

    /** Connecting failed before any mail was sent; {@code error} is the failure's text (may quote a reply). */
    static SmtpFailure connectFailure(String error) {
        Matcher reply = REPLY.matcher(String.valueOf(error));
        String message = "The mail server could not be reached: " + error;
        boolean replied = reply.find();
        if (replied && reply.group(1).startsWith("5")) {
            return SmtpFailure.permanent("smtp_rejected", message);
        }
        return SmtpFailure.retryable(replied ? "smtp_busy" : "smtp_unreachable", message);
    }

    /**
     * A command of the mail transaction failed: {@code code} is its reply code (negative: no reply at all),
     * {@code command} the command it answered ({@code "."} ends the message data).
     */
    static SmtpFailure sendFailure(int code, String reply, String command) {
        if (code < 0) {
            String message = "The connection to the mail server broke while sending (" + reply + ")";
            // after the final "." the server may have taken the mail
            return ".".equals(command) ? SmtpFailure.ambiguous("smtp_connection_lost", message)
                    : SmtpFailure.retryable("smtp_connection_lost", message);
        }
        if (code >= 400 && code < 500) {
            return SmtpFailure.retryable("smtp_busy", "The mail server asked to try later: " + reply);
        }
        if (code == 552 || reply.contains("5.3.4") || reply.contains("MessageTooLarge")) {
            return SmtpFailure.permanent("message_too_large", "The mail server refused the message as too large: "
                    + reply);
        }
        if (reply.contains("5.2.252") || reply.contains("SendAsDenied")) {
            return SmtpFailure.permanent("send_as_denied", "The mail server does not let this mailbox send as its "
                    + "From address: " + reply);
        }
        if (reply.contains(" 5.1.")) {
            return SmtpFailure.permanent("recipient_refused", "The mail server refused the recipients: " + reply);
        }
        return SmtpFailure.permanent("smtp_rejected", "The mail server refused the message: " + reply);
    }

    /** The connection broke during the transaction, without a reply: the server may have taken the mail. */
    static SmtpFailure connectionLost(String error) {
        return SmtpFailure.ambiguous("smtp_connection_lost", "The connection to the mail server broke while sending: "
                + error);
    }

    /**
     * One or more RCPT TO refused ({@code refusals}, one text each; empty: {@code fallback} says why): a permanent
     * (5xx) refusal among them fails the mail, 4xx ones alone are retried.
     */
    static SmtpFailure recipientFailure(List<String> refusals, boolean anyPermanent, String fallback) {
        String detail = refusals.isEmpty() ? String.valueOf(fallback) : String.join("; ", refusals);
        return anyPermanent
                ? SmtpFailure.permanent("recipient_refused", "The mail server refused recipients: " + detail)
                : SmtpFailure.retryable("smtp_busy", "The mail server deferred recipients: " + detail);
    }
}
