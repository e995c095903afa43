package dev.mailsync.message;

import java.time.Instant;
import java.util.List;

/** What {@link MimeReader} could read from a message; {@code problems} lists what it could not. */
public record ParsedMessage(String messageId, String inReplyTo, List<String> references, String subject,
        List<EmailAddress> from, List<EmailAddress> to, List<EmailAddress> cc, List<EmailAddress> bcc,
        List<EmailAddress> replyTo, String listUnsubscribe, Instant sentAt, String textBody, String htmlBody,
        String snippet, List<AttachmentInfo> attachments, List<String> problems) {

    public boolean malformed() {
        return !problems.isEmpty();
    }
}
