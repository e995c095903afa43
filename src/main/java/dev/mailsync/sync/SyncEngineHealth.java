package dev.mailsync.sync;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

import dev.mailsync.common.db.Jdbc;

/**
 * Readiness of the sync engine: the scheduler is dispatching and the schedule table answers. A mailbox's own
 * trouble (reauth required, a refused login) never makes the replica unready.
 */
@Readiness
@ApplicationScoped
public class SyncEngineHealth implements HealthCheck {

    private final SyncScheduler scheduler;
    private final SyncConfig config;
    private final Jdbc jdbc;

    public SyncEngineHealth(SyncScheduler scheduler, SyncConfig config, Jdbc jdbc) {
        this.scheduler = scheduler;
        this.config = config;
        this.jdbc = jdbc;
    }

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder response = HealthCheckResponse.named("sync-engine")
                .withData("enabled", config.enabled()).withData("running", scheduler.running());
        if (!config.enabled()) {
            return response.up().build();
        }
        Duration sinceDispatch = Duration.between(scheduler.lastDispatch(), Instant.now());
        response.withData("lastDispatchSecondsAgo", sinceDispatch.toSeconds());
        Duration limit = config.poll().multipliedBy(5).plusSeconds(30);
        if (sinceDispatch.compareTo(limit) > 0) {
            return response.withData("problem", "the scheduler has not dispatched for " + sinceDispatch.toSeconds()
                    + " s").down().build();
        }
        try {
            jdbc.query("select 1 from mailbox_sync limit 1", List.of(), Duration.ofSeconds(5), rs -> { });
        } catch (Jdbc.Failed e) {
            return response.withData("problem", "cannot read the sync schedule").down().build();
        }
        return response.up().build();
    }
}
