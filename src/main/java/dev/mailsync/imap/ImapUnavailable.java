package dev.mailsync.imap;

import java.time.Duration;
import java.util.UUID;

/**
 * The mailbox's IMAP server may not be used right now, and the caller should try again after {@link #retryAfter}:
 * the server throttled the mailbox ({@link ImapThrottled}), or all its connections are in use ({@link ImapBusy}).
 */
public abstract sealed class ImapUnavailable extends RuntimeException permits ImapThrottled, ImapBusy {

    private final UUID mailboxId;
    private final Duration retryAfter;

    ImapUnavailable(UUID mailboxId, String message, Duration retryAfter) {
        super(message, null, false, false);
        this.mailboxId = mailboxId;
        this.retryAfter = retryAfter;
    }

    public UUID mailboxId() {
        return mailboxId;
    }

    /** How long to wait before the next try (at least a second). */
    public Duration retryAfter() {
        return retryAfter;
    }
}
