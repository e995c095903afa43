package dev.mailsync.outbox;

import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.mail.Address;
import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.MessagingException;
import jakarta.mail.SendFailedException;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.util.SharedByteArrayInputStream;

import org.eclipse.angus.mail.smtp.SMTPAddressFailedException;
import org.eclipse.angus.mail.smtp.SMTPSendFailedException;
import org.eclipse.angus.mail.smtp.SMTPTransport;

import dev.mailsync.common.MailSockets;
import dev.mailsync.oauth.MicrosoftConfig;

/**
 * Submits one stored message over SMTP with XOAUTH2 (no other mechanism: Angus would otherwise fall back to
 * LOGIN or PLAIN), STARTTLS required by default, exactly as composed (the Message-ID is kept). Every failure
 * becomes a {@link SmtpFailure} that says whether to retry, and whether the server may have taken the mail.
 */
@ApplicationScoped
public class SmtpSubmitter {

    private static final Pattern REPLY = Pattern.compile("\\b([45][0-9]{2})[ -]((?:[245])\\.[0-9]{1,3}\\.[0-9]{1,3})?");

    private final MicrosoftConfig microsoft;
    private final OutboxConfig config;
    private final MailSockets sockets;

    public SmtpSubmitter(MicrosoftConfig microsoft, OutboxConfig config, MailSockets sockets) {
        this.microsoft = microsoft;
        this.config = config;
        this.sockets = sockets;
    }

    /**
     * @return the server's final reply (e.g. {@code 250 2.0.0 OK <id>})
     * @throws SmtpFailure the server refused, or the connection failed
     */
    public String submit(String user, String accessToken, byte[] mime, List<String> envelope) {
        Session session = Session.getInstance(properties());
        SMTPTransport transport;
        MimeMessage message;
        Address[] recipients;
        try {
            transport = (SMTPTransport) session.getTransport("smtp");
            // a shared stream: the parsed message refers to the stored bytes instead of copying them
            message = new MimeMessage(session, new SharedByteArrayInputStream(mime));
            recipients = new Address[envelope.size()];
            for (int i = 0; i < recipients.length; i++) {
                recipients[i] = new InternetAddress(envelope.get(i), false);
            }
        } catch (MessagingException e) {
            throw new IllegalStateException("the stored message cannot be read: " + e.getMessage(), e);
        }
        try {
            try {
                transport.connect(microsoft.smtp().host(), microsoft.smtp().port(), user, accessToken);
            } catch (AuthenticationFailedException e) {
                throw authFailure(e.getMessage());
            } catch (MessagingException e) {
                throw connectFailure(e);
            }
            try {
                transport.sendMessage(message, recipients);
                return transport.getLastServerResponse();
            } catch (SMTPSendFailedException e) {
                throw sendFailure(e);
            } catch (SendFailedException e) {
                throw recipientFailure(e);
            } catch (MessagingException e) {
                // the connection broke during the transaction: the server may have taken the mail
                throw new SmtpFailure("smtp_connection_lost", "The connection to the mail server broke while sending: "
                        + e.getMessage(), false, true);
            }
        } finally {
            try {
                transport.close();
            } catch (MessagingException e) {
                // the answer is known; QUIT is a courtesy
            }
        }
    }

    private Properties properties() {
        return sockets.sessionProperties("smtp", microsoft.smtp().tls(), config.smtpTimeout(), config.smtpTimeout());
    }

    private static SmtpFailure authFailure(String reply) {
        if (reply != null && reply.contains("5.7.139")) {
            return new SmtpFailure("smtp_auth_disabled", "Microsoft refused SMTP AUTH for this mailbox (" + reply
                    + "). An administrator must enable authenticated SMTP (SMTP AUTH) for the mailbox or the "
                    + "tenant (https://aka.ms/smtp_auth_disabled).", true, false);
        }
        if (reply != null && reply.startsWith("4")) {
            return new SmtpFailure("smtp_busy", "The mail server is busy: " + reply, false, false);
        }
        return new SmtpFailure("smtp_token_rejected", "The mail server rejected the sign-in (" + reply
                + "). The mailbox may lack the SMTP.Send permission: reconnect it to grant it.", true, false);
    }

    private static SmtpFailure connectFailure(MessagingException e) {
        Matcher reply = REPLY.matcher(String.valueOf(e.getMessage()));
        String message = "The mail server could not be reached: " + e.getMessage();
        boolean replied = reply.find();
        if (replied && reply.group(1).startsWith("5")) {
            return new SmtpFailure("smtp_rejected", message, true, false);
        }
        return new SmtpFailure(replied ? "smtp_busy" : "smtp_unreachable", message, false, false);
    }

    private static SmtpFailure sendFailure(SMTPSendFailedException e) {
        int code = e.getReturnCode();
        String reply = e.getMessage();
        if (code < 0) {
            // no reply at all (EOF, timeout); after the final "." the server may have taken the mail
            return new SmtpFailure("smtp_connection_lost", "The connection to the mail server broke while sending ("
                    + reply + ")", false, ".".equals(e.getCommand()));
        }
        if (code >= 400 && code < 500) {
            return new SmtpFailure("smtp_busy", "The mail server asked to try later: " + reply, false, false);
        }
        if (code == 552 || reply.contains("5.3.4") || reply.contains("MessageTooLarge")) {
            return new SmtpFailure("message_too_large", "The mail server refused the message as too large: "
                    + reply, true, false);
        }
        if (reply.contains("5.2.252") || reply.contains("SendAsDenied")) {
            return new SmtpFailure("send_as_denied", "The mail server does not let this mailbox send as its From "
                    + "address: " + reply, true, false);
        }
        if (reply.contains(" 5.1.")) {
            return new SmtpFailure("recipient_refused", "The mail server refused the recipients: " + reply, true,
                    false);
        }
        return new SmtpFailure("smtp_rejected", "The mail server refused the message: " + reply, true, false);
    }

    /** One or more RCPT TO refused: permanent (5xx) refusals fail the mail, 4xx ones are retried. */
    private static SmtpFailure recipientFailure(SendFailedException e) {
        List<String> refused = new ArrayList<>();
        boolean permanent = false;
        for (Exception next = e.getNextException(); next != null; ) {
            if (next instanceof SMTPAddressFailedException failed) {
                refused.add(failed.getAddress().getAddress() + ": " + failed.getMessage().strip());
                permanent |= failed.getReturnCode() >= 500;
                next = failed.getNextException();
            } else {
                refused.add(next.getMessage());
                next = next instanceof MessagingException m ? m.getNextException() : null;
            }
        }
        String detail = refused.isEmpty() ? String.valueOf(e.getMessage()) : String.join("; ", refused);
        return permanent
                ? new SmtpFailure("recipient_refused", "The mail server refused recipients: " + detail, true, false)
                : new SmtpFailure("smtp_busy", "The mail server deferred recipients: " + detail, false, false);
    }
}
