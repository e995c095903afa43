package dev.mailsync.outbox;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Which transport sends mail (key {@code mailsync.microsoft.send-transport}). */
@ConfigMapping(prefix = "mailsync.microsoft")
public interface TransportConfig {

    /**
     * {@code smtp}, {@code graph}, or {@code auto}: SMTP, and a mailbox whose SMTP AUTH Microsoft refuses
     * ({@code 535 5.7.139}) switches to Graph for good (the item is retried through Graph at once).
     */
    @WithDefault("auto")
    Choice sendTransport();

    enum Choice {
        SMTP, GRAPH, AUTO
    }
}
