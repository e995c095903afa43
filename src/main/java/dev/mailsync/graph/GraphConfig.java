package dev.mailsync.graph;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Requests to Microsoft Graph's mail endpoints (prefix {@code mailsync.graph}); the URL is {@code mailsync.microsoft.graph-url}. */
@ConfigMapping(prefix = "mailsync.graph")
public interface GraphConfig {

    /** Timeout of one Graph request (connect and answer; an upload chunk is one request). */
    @WithDefault("60s")
    Duration timeout();

    /**
     * Graph requests in flight at once for one mailbox on this replica. Outlook allows 4 per mailbox and app across
     * all replicas: with several replicas sending for the same mailbox, the extra ones are answered 429 and retried.
     */
    @WithDefault("4")
    int concurrencyPerMailbox();

    /** How long a mailbox is left alone after a 429 that names no {@code Retry-After}. */
    @WithDefault("10s")
    Duration defaultRetryAfter();
}
