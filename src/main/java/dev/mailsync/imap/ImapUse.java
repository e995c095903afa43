package dev.mailsync.imap;

import java.util.Locale;

/**
 * Who uses an IMAP connection of a mailbox: how long it waits for one of the mailbox's connections, and the
 * {@code what} label of {@code mailsync_imap_throttled_total} (a throttled login is labelled {@code login}).
 */
public enum ImapUse {
    /** A sync pass (waits {@code mailsync.imap.sync-permit-wait}). */
    SYNC,
    /** A push watcher's long-lived connection (waits {@code mailsync.imap.sync-permit-wait}). */
    PUSH,
    /** An API operation on a pooled session (waits {@code mailsync.imap.permit-wait}, then 503). */
    API,
    /** The outbox looking up or filing a sent message (waits {@code mailsync.imap.sync-permit-wait}). */
    OUTBOX;

    /** The metric label, e.g. {@code sync}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
