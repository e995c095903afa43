package dev.mailsync.outbox;

import java.util.List;

import dev.mailsync.message.AttachmentInfo;
import dev.mailsync.message.EmailAddress;

/** The stored message a reply or forward refers to. */
record Original(long id, String messageId, String inReplyTo, List<String> references, String subject,
        List<EmailAddress> from, List<EmailAddress> to, List<EmailAddress> cc, List<EmailAddress> replyTo,
        List<AttachmentInfo> attachments) {
}
