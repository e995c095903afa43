package dev.mailsync.events;

import jakarta.inject.Singleton;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;

/**
 * Server-sent events' metrics ({@code mailsync_events_*}): open streams, events sent, streams dropped because
 * their client fell behind, and the notification listener's reconnections. All exist at zero from start-up.
 */
@Startup
@Singleton
public class EventMetrics {

    private final Counter sent;
    private final Counter dropped;
    private final Counter reconnects;

    public EventMetrics(MeterRegistry registry, EventStreams streams) {
        Gauge.builder("mailsync.events.streams", streams::count).description("Event streams open on this replica")
                .register(registry);
        sent = Counter.builder("mailsync.events.sent").description("Events written to event streams")
                .register(registry);
        dropped = Counter.builder("mailsync.events.streams.dropped")
                .description("Event streams closed because their client fell too far behind").register(registry);
        reconnects = Counter.builder("mailsync.events.listener.reconnects")
                .description("Times the PostgreSQL notification listener lost its connection").register(registry);
    }

    void sent() {
        sent.increment();
    }

    void dropped() {
        dropped.increment();
    }

    void reconnect() {
        reconnects.increment();
    }
}
