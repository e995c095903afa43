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
}
