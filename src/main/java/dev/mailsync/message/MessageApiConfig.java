package dev.mailsync.message;

import java.time.Duration;

import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Settings of the messages API (prefix {@code mailsync.api}, shared with the query limiter's). */
@ConfigMapping(prefix = "mailsync.api")
public interface MessageApiConfig {

    /**
     * How long the attachment URLs of a message detail (downloads and inline {@code cid:} images) work without an
     * {@code Authorization} header. They are signed (HMAC-SHA256 over mailbox, message, attachment and expiry).
     */
    @WithDefault("10m")
    Duration signedUrlTtl();

    /**
     * HTML bodies sanitised at once on this replica, in characters. Sanitising builds two DOMs of the body (about
     * 12 bytes of heap per character); a body larger than this waits until it can run alone.
     */
    @WithDefault("4M")
    MemorySize htmlBudget();

    /** Sanitised HTML kept for repeated and concurrent reads, in characters; 0 turns the cache off. */
    @WithDefault("16M")
    MemorySize htmlCache();
}
