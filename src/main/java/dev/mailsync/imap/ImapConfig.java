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
}
