package dev.mailsync.sync;

import java.time.Duration;
import java.util.Optional;

import io.quarkus.runtime.configuration.MemorySize;
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

    /** Passes running at once on this replica: the least, where the adaptive limit starts and never goes below. */
    @WithDefault("4")
    int concurrency();

    /**
     * The most passes at once on this replica: the limit grows towards it while passes wait on I/O with mailboxes
     * due and neither the CPU nor the database pool is saturated ({@link ConcurrencyLimit}). Equal to
     * {@code concurrency}: a fixed number.
     */
    @WithDefault("16")
    int maxConcurrency();

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

    /**
     * Text and HTML bodies are stored up to this size each (UTF-8); the rest is cut and the message marked
     * {@code truncated} (its raw form, from the server, stays whole).
     */
    @WithDefault("2M")
    MemorySize maxBodySize();

    /**
     * Messages larger than this (by RFC822.SIZE) are not fetched whole: they are stored from their header,
     * BODYSTRUCTURE and the start of their text parts; attachments download from the server on demand.
     */
    @WithDefault("25M")
    MemorySize maxMessageSize();

    /**
     * {@code parts}: new messages are read from their header, BODYSTRUCTURE and text parts (attachments stay on the
     * server until downloaded), falling back to the whole message per message where the two could differ;
     * {@code whole}: every message is fetched whole.
     */
    @WithDefault("parts")
    FetchMode fetchMode();

    /** Time one message's MIME walk may take; what is not read by then is left out and the message marked malformed. */
    @WithDefault("5s")
    Duration parseBudget();

    /**
     * A folder missing from the server's folder list is hidden and not synced at once, but deleted with its mail
     * only when it has stayed missing this long (a folder list can be incomplete for a moment).
     */
    @WithDefault("24h")
    Duration folderPurgeAfter();
}
