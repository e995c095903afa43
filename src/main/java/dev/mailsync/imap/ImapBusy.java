package dev.mailsync.imap;

import java.time.Duration;
import java.util.UUID;

/** Every IMAP connection the mailbox may have ({@code mailsync.imap.max-connections-per-mailbox}) is in use. */
public final class ImapBusy extends ImapUnavailable {

    /** What a caller refused for lack of a connection is told to wait. */
    static final Duration RETRY_AFTER = Duration.ofSeconds(5);

    ImapBusy(UUID mailboxId, int cap, Duration waited) {
        super(mailboxId, "All " + cap + " IMAP connections of the mailbox stayed in use for " + waited.toMillis()
                + " ms", RETRY_AFTER);
    }
}
