package dev.mailsync.events;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** The change feed (prefix {@code mailsync.changes}). */
@ConfigMapping(prefix = "mailsync.changes")
public interface ChangesConfig {

    /**
     * How long events are kept: a {@code since} state older than this may answer 410 {@code cannot_calculate_changes}
     * (the frontend re-lists), and server-sent events resume with {@code Last-Event-ID} within it.
     */
    @WithDefault("7d")
    Duration retention();

    /** How often each replica deletes events past the retention (idempotent: replicas may overlap). */
    @WithDefault("10m")
    Duration cleanupEvery();

    /** Events deleted per transaction by the cleanup. */
    @WithDefault("5000")
    int cleanupBatch();
}
