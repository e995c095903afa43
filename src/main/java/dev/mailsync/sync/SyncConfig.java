package dev.mailsync.sync;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Background sync settings (prefix {@code mailsync.sync}). */
@ConfigMapping(prefix = "mailsync.sync")
public interface SyncConfig {

    /** Whether this replica runs sync passes at all. */
    @WithDefault("true")
    boolean enabled();

    /** A mailbox is due this long after its last successful pass. */
    @WithDefault("60s")
    Duration interval();

    /** How often the scheduler looks for due mailboxes. */
    @WithDefault("2s")
    Duration poll();

    /** Passes running at once on this replica. */
    @WithDefault("4")
    int concurrency();

    /** A pass holds its mailbox this long and renews it as it goes; a dead replica's lease runs out. */
    @WithDefault("2m")
    Duration lease();

    /** Upper bound of the retry delay after repeated failures (doubling from the interval). */
    @WithDefault("30m")
    Duration maxBackoff();

    /** Only mail received within this window is fetched at the first pass (e.g. {@code 90d}); default: all. */
    Optional<Duration> initialWindow();

    /** Messages fetched per IMAP command. */
    @WithDefault("250")
    int batchMessages();

    /** Bytes (by RFC822.SIZE) fetched per IMAP command. */
    @WithDefault("16000000")
    long batchBytes();

    /** At shutdown, how long running passes may go on before their connections are closed and leases released. */
    @WithDefault("20s")
    Duration shutdownGrace();

    /** Names that mark the Sent folder when the server offers no SPECIAL-USE {@code \Sent}. */
    @WithDefault("Sent Items,Sent,Sent Messages,Sent Mail,Gesendete Elemente,Gesendet,Éléments envoyés,Skickat")
    List<String> sentFolderNames();
}
