package dev.mailsync.webhook;

import java.time.Duration;
import java.util.List;

import jakarta.inject.Singleton;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;

/**
 * Webhook metrics ({@code mailsync_webhook_*}): attempts and deliveries by outcome, webhooks disabled, and the queue
 * depth (deliveries pending or being attempted; read from PostgreSQL at most every 10 seconds). No label names a
 * webhook, user or URL. Every series exists at zero from start-up.
 */
@Startup
@Singleton
public class WebhookMetrics {

    private static final long SNAPSHOT_NANOS = Duration.ofSeconds(10).toNanos();

    private final MeterRegistry registry;
    private volatile long takenAt;
    private volatile double depth = Double.NaN;

    public WebhookMetrics(MeterRegistry registry, DeliveryStore store) {
        this.registry = registry;
        List.of("delivered", "rejected", "error").forEach(o -> registry.counter("mailsync.webhook.attempts",
                "outcome", o));
        List.of("delivered", "failed").forEach(o -> registry.counter("mailsync.webhook.deliveries", "outcome", o));
        registry.counter("mailsync.webhook.disabled");
        Gauge.builder("mailsync.webhook.queue.depth", () -> depth(store))
                .description("Webhook deliveries pending or being attempted").register(registry);
    }

    /** One attempt: {@code delivered} (2xx), {@code rejected} (another status), {@code error} (no response). */
    void attempt(String outcome) {
        registry.counter("mailsync.webhook.attempts", "outcome", outcome).increment();
    }

    /** A delivery done: {@code delivered} or {@code failed} (given up). */
    void delivery(String outcome) {
        registry.counter("mailsync.webhook.deliveries", "outcome", outcome).increment();
    }

    void disabled() {
        registry.counter("mailsync.webhook.disabled").increment();
    }

    private double depth(DeliveryStore store) {
        if (System.nanoTime() - takenAt > SNAPSHOT_NANOS || Double.isNaN(depth)) {
            try {
                depth = store.waiting();
            } catch (IllegalStateException e) {
                depth = Double.NaN; // the database is away: readiness reports it
            }
            takenAt = System.nanoTime();
        }
        return depth;
    }
}
