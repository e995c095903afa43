package dev.mailsync.graph;

import java.time.Duration;
import java.util.List;

/**
 * What a Graph error means for an outbox item: from the HTTP status and Graph's {@code error.code} to a
 * {@link GraphFailure} with one of the outbox's failure codes. Graph's code wins over the status (Graph answers
 * {@code MailboxNotEnabledForRESTAPI} with 404 or 503 alike). Pure; {@link GraphClient} hands it what Graph answered.
 */
public final class GraphErrors {

    /** Every code a {@link GraphFailure} can carry. */
    public static final List<String> CODES = List.of("send_as_denied", "graph_mailbox_not_enabled",
            "mailbox_quota_exceeded", "message_too_large", "recipient_refused", "graph_throttled", "graph_unavailable",
            "graph_token_rejected", "graph_consent_missing", "graph_rejected", "graph_unreachable",
            "graph_connection_lost");

    private GraphErrors() {
    }

    /**
     * An error answer. {@code submission}: the request hands the mail over ({@code sendMail}, {@code /send}), so
     * after a server error Graph may have sent it all the same; {@code retryAfter} (may be null) is its header.
     */
    public static GraphFailure answer(int status, String graphCode, String graphMessage, Duration retryAfter,
            boolean submission) {
        String code = graphCode == null ? "" : graphCode;
        String said = "HTTP " + status + (code.isEmpty() ? "" : " " + code)
                + (graphMessage == null || graphMessage.isBlank() ? "" : ": " + shorten(graphMessage));
        if (code.equals("ErrorSendAsDenied")) {
            return permanent("send_as_denied", "Microsoft Graph does not let this mailbox send as its From address "
                    + "(it needs Send As or Send on Behalf): " + said);
        }
        if (code.startsWith("MailboxNotEnabledForRESTAPI") || code.equals("MailboxNotSupportedForRESTAPI")) {
            return permanent("graph_mailbox_not_enabled", "The mailbox is not reachable through Microsoft Graph "
                    + "(an on-premises, inactive or unlicensed mailbox); send over SMTP instead: " + said);
        }
        if (code.contains("QuotaExceeded")) {
            return permanent("mailbox_quota_exceeded", "The mailbox is over its storage quota; free space in it "
                    + "and retry: " + said);
        }
        if (status == 413 || code.equals("ErrorMessageSizeExceeded") || code.equals("RequestEntityTooLarge")) {
            return permanent("message_too_large", "Microsoft Graph refused the message as too large: " + said);
        }
        if (code.equals("ErrorInvalidRecipients")) {
            return permanent("recipient_refused", "Microsoft Graph refused the recipients: " + said);
        }
        if (status == 429) {
            return new GraphFailure("graph_throttled", "Microsoft Graph is throttling this mailbox: " + said,
                    false, false, retryAfter);
        }
        if (status >= 500) {
            return new GraphFailure("graph_unavailable", "Microsoft Graph failed: " + said, false, submission,
                    retryAfter);
        }
        if (status == 401) {
            return permanent("graph_token_rejected", "Microsoft Graph rejected the access token (" + said
                    + "); reconnect the mailbox.");
        }
        if (status == 403 && code.equals("ErrorAccessDenied")) {
            return consentMissing(said);
        }
        return permanent("graph_rejected", "Microsoft Graph refused the request: " + said);
    }

    /**
     * The mailbox's grant does not cover Graph's permissions (it was connected before mailsync asked for them, or
     * Graph refused the token's scopes: {@code detail}, may be null).
     */
    public static GraphFailure consentMissing(String detail) {
        return permanent("graph_consent_missing", "Sending from this mailbox needs Microsoft Graph (SMTP AUTH is off "
                + "for it, or mailsync sends through Graph), and the mailbox has not granted mailsync Graph's Mail.Send "
                + "and Mail.ReadWrite permissions" + (detail == null ? "" : " (" + detail + ")")
                + ": reconnect it to grant them.");
    }

    /** No answer: Graph could not be reached, or the connection broke ({@code submission}: maybe after it took the mail). */
    public static GraphFailure noAnswer(String error, boolean submission) {
        return submission
                ? new GraphFailure("graph_connection_lost", "The connection to Microsoft Graph broke while sending: "
                        + error, false, true, null)
                : new GraphFailure("graph_unreachable", "Microsoft Graph could not be reached: " + error, false,
                        false, null);
    }

    /** The mailbox is inside a {@code Retry-After} Graph gave earlier: no request is made until it ends. */
    public static GraphFailure waiting(Duration remaining) {
        return new GraphFailure("graph_throttled", "Microsoft Graph asked to wait before the next request for this "
                + "mailbox (" + remaining.toSeconds() + " s left)", false, false, remaining, true);
    }

    private static GraphFailure permanent(String code, String message) {
        return new GraphFailure(code, message, true, false, null);
    }

    private static String shorten(String text) {
        String line = text.strip().replaceAll("\\s+", " ");
        return line.length() <= 300 ? line : line.substring(0, 300) + "...";
    }
}
