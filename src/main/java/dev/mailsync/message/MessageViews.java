package dev.mailsync.message;

import java.time.Instant;
import java.util.List;

/** What the messages API answers. */
public final class MessageViews {

    private MessageViews() {
    }

    public record Flags(boolean seen, boolean flagged, boolean answered, boolean draft) {
    }

    /** One message in a list. */
    public record MessageSummary(String id, String folder, String subject, EmailAddress from, List<EmailAddress> to,
            Instant date, String snippet, Flags flags, boolean hasAttachments, String threadId, int size) {
    }

    /**
     * A page of messages (documents the JSON that {@link MessageQueries#list} builds); {@code state}: the mailbox's
     * change-feed state, read before the page (for {@code GET .../changes?since=}).
     */
    public record MessagePage(List<MessageSummary> items, String nextCursor, String state) {
    }

    /** A page of a list; {@code nextCursor} is null on the last page. */
    public record Page<T>(List<T> items, String nextCursor) {
    }

    public record Attachment(String id, String filename, String contentType, long size, String contentId,
            boolean inline, String url) {
    }

    /**
     * One message with everything worth showing; {@code html} is safe to put into a page. {@code truncated}: the
     * text or HTML was cut at {@code mailsync.sync.max-body-size} (the raw message has it whole).
     */
    public record MessageDetail(String id, String folder, String threadId, String messageId, String inReplyTo,
            List<String> references, String listUnsubscribe, String subject, List<EmailAddress> from,
            List<EmailAddress> to, List<EmailAddress> cc, List<EmailAddress> bcc, List<EmailAddress> replyTo,
            Instant date, Instant receivedAt, Flags flags, int size, String text, String html,
            List<Attachment> attachments, boolean malformed, boolean truncated) {
    }

    /** A conversation: newest activity, message count, participants, latest snippet. */
    public record ThreadSummary(String threadId, String subject, Instant lastActivityAt, int messages,
            List<String> participants, String snippet) {
    }

    public record ThreadDetail(String threadId, List<MessageSummary> messages) {
    }
}
