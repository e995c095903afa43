package dev.mailsync.imap;

import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

/** The server throttled the mailbox: nothing uses its IMAP server until {@link #until}. */
public final class ImapThrottled extends ImapUnavailable {

    private final Instant until;

    ImapThrottled(UUID mailboxId, Instant until) {
        super(mailboxId, "The mail server throttles this mailbox until " + until,
                atLeastASecond(Duration.between(Instant.now(), until)));
        this.until = until;
    }

    public Instant until() {
        return until;
    }

    private static Duration atLeastASecond(Duration d) {
        return d.compareTo(Duration.ofSeconds(1)) < 0 ? Duration.ofSeconds(1) : d;
    }
}
