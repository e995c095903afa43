package dev.mailsync.message;

import java.time.Instant;
import java.util.List;

/**
 * What {@link MimeReader} could read from a message; {@code problems} lists what it could not. {@code htmlText}
 * is the start of the HTML body's text when there is no text body (for search); {@code truncated} tells that a
 * body was cut to the size limit or not read to its end (the whole message stays available from the server).
 */
public record ParsedMessage(String messageId, String inReplyTo, List<String> references, String subject,
        List<EmailAddress> from, List<EmailAddress> to, List<EmailAddress> cc, List<EmailAddress> bcc,
        List<EmailAddress> replyTo, String listUnsubscribe, Instant sentAt, String textBody, String htmlBody,
        String snippet, String htmlText, boolean truncated, List<AttachmentInfo> attachments, List<String> problems) {

    public boolean malformed() {
        return !problems.isEmpty();
    }
}
