package dev.mailsync.events;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Server-sent events (prefix {@code mailsync.events}). */
@ConfigMapping(prefix = "mailsync.events")
public interface EventsConfig {

    /** A comment line is sent on every open stream this often, so proxies do not close an idle one. */
    @WithDefault("15s")
    Duration heartbeat();

    /** Streams one user may hold open at once on one replica; one more answers 429 {@code too_many_streams}. */
    @WithDefault("5")
    int maxStreamsPerUser();

    /**
     * Events one stream may have waiting to be written; a client that falls this far behind is disconnected and
     * resumes with {@code Last-Event-ID} (memory stays bounded whatever the client does).
     */
    @WithDefault("500")
    int buffer();

    /** The reconnection delay suggested to clients ({@code retry:}). */
    @WithDefault("3s")
    Duration retry();

    /**
     * The log is read on every notification from PostgreSQL, and at least this often anyway (a safety net for a
     * notification lost with a connection).
     */
    @WithDefault("5s")
    Duration poll();
}
