package dev.mailsync.imap;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** IMAP connection settings (prefix {@code mailsync.imap}); the server itself is the provider's. */
@ConfigMapping(prefix = "mailsync.imap")
public interface ImapConfig {

    /** Connect timeout. */
    @WithDefault("20s")
    Duration connectTimeout();

    /** Read and write timeout. */
    @WithDefault("120s")
    Duration readTimeout();

    /**
     * Attachment and raw-message downloads fetch the content in chunks of this size ({@code BODY.PEEK[...]<o.n>}),
     * so a download holds one chunk in memory, whatever the attachment's size. (The sync fetches whole messages
     * with its own command.)
     */
    @WithDefault("1M")
    io.quarkus.runtime.configuration.MemorySize fetchSize();

    /**
     * IMAP connections a mailbox may have open at once on this replica: sync passes, push watchers, the outbox's
     * lookups and the API's pooled sessions together (Exchange Online allows a mailbox few, about 16).
     */
    @WithDefault("8")
    int maxConnectionsPerMailbox();

    /** How long an API operation waits for one of the mailbox's connections before it answers 503 {@code imap_busy}. */
    @WithDefault("2s")
    Duration permitWait();

    /**
     * How long a sync pass, a push watcher or the outbox waits for one of the mailbox's connections; a pass that
     * gets none fails with {@code imap_busy} and is retried later.
     */
    @WithDefault("30s")
    Duration syncPermitWait();

    /** An API operation's authenticated session is kept this long after use, for the mailbox's next operation. */
    @WithDefault("30s")
    Duration sessionIdle();

    /**
     * A trial login (adding a shared mailbox checks the access with one, while the API request waits) waits at most
     * this long to connect and for each answer of the server.
     */
    @WithDefault("10s")
    Duration trialLoginTimeout();
}
