package dev.mailsync.push;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Push settings (prefix {@code mailsync.push}): connections in IMAP IDLE that start a folder pass on news. */
@ConfigMapping(prefix = "mailsync.push")
public interface PushConfig {

    /** Whether this replica watches mailboxes at all (the periodic sync runs either way). */
    @WithDefault("true")
    boolean enabled();

    /** How often the replica renews its watch leases, counts the live replicas and claims or gives up watches. */
    @WithDefault("5s")
    Duration poll();

    /** A watch lease lasts this long unless renewed; a dead replica's watches move to another after it. */
    @WithDefault("30s")
    Duration lease();

    /**
     * IDLE is ended and issued again this often (DONE, then IDLE), before the server drops it (Exchange Online after
     * about 30 minutes, RFC 2177 allows 29).
     */
    @WithDefault("25m")
    Duration idleRenew();

    /**
     * Connections in IDLE per mailbox: INBOX, then the folders marked {@code push} by name. Other folders keep the
     * periodic pass. Exchange Online allows few concurrent IMAP connections per mailbox.
     */
    @WithDefault("2")
    int connectionsPerMailbox();

    /** Folder passes started by push running at once on this replica (each holds the mailbox's sync lease). */
    @WithDefault("4")
    int passConcurrency();

    /** First delay before reconnecting after a dropped connection; doubles with each failure in a row (jittered). */
    @WithDefault("1s")
    Duration reconnectMin();

    /** Longest delay between reconnection attempts. */
    @WithDefault("5m")
    Duration reconnectMax();

    /** A server found without IDLE is asked again after this long (it may have been upgraded). */
    @WithDefault("24h")
    Duration idleRecheck();
}
