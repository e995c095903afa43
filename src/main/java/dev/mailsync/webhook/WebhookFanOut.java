package dev.mailsync.webhook;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.ObservesAsync;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.mailsync.common.db.Jdbc;
import dev.mailsync.events.Event;
import dev.mailsync.events.EventLog;
import dev.mailsync.events.EventPayload;
import dev.mailsync.events.EventsSettled;
import dev.mailsync.events.Position;
import io.quarkus.logging.Log;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.scheduler.Scheduled;

/**
 * Turns settled events into deliveries, exactly once across replicas: one transaction locks the single
 * {@code webhook_cursor} row ({@code SKIP LOCKED}: while one replica fans out, the others skip), reads the settled
 * events after it, inserts a delivery for each announced event and each active webhook that asks for it (the user's
 * own, or admin-wide), and moves the cursor past them. A crash rolls all of it back together. It runs when this
 * replica's event tail reads newly settled events, and every {@code mailsync.webhooks.poll} in case that was missed.
 */
@ApplicationScoped
public class WebhookFanOut {

    static final int BATCH = 500;

    private final Jdbc jdbc;
    private final EventLog events;
    private final WebhookStore webhooks;
    private final DeliveryStore deliveries;
    private final WebhookConfig config;
    private final WebhookDeliverer deliverer;
    private final ObjectMapper json;
    private final AtomicBoolean waiting = new AtomicBoolean();

    public WebhookFanOut(Jdbc jdbc, EventLog events, WebhookStore webhooks, DeliveryStore deliveries,
            WebhookConfig config, WebhookDeliverer deliverer, ObjectMapper json) {
        this.jdbc = jdbc;
        this.events = events;
        this.webhooks = webhooks;
        this.deliveries = deliveries;
        this.config = config;
        this.deliverer = deliverer;
        this.json = json;
    }

    /**
     * New events have settled (the log's notification, read by this replica's {@code EventTail}): fan out now rather
     * than at the next poll. Notifications that arrive during a fan-out are served by one more fan-out after it.
     */
    void onSettled(@ObservesAsync EventsSettled settled) {
        if (waiting.getAndSet(true)) {
            return;
        }
        synchronized (waiting) {
            waiting.set(false);
            poll();
        }
    }

    @Scheduled(every = "{mailsync.webhooks.poll}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void poll() {
        if (!config.enabled()) {
            return;
        }
        try {
            int created = 0;
            Batch batch;
            do {
                batch = fanOutOnce();
                created += batch.deliveries();
            } while (batch.events() == BATCH);
            if (created > 0) {
                deliverer.wakeUp();
            }
        } catch (RuntimeException e) {
            Log.warnf("The webhook fan-out stopped until its next poll: %s", e.getMessage());
        }
    }

    /** What one batch did. */
    record Batch(int events, int deliveries) {
    }

    /** One batch in one transaction; nothing when another replica holds the cursor. */
    Batch fanOutOnce() {
        return QuarkusTransaction.requiringNew().call(() -> {
            Optional<Position> cursor = jdbc.optional(
                    "select tx::text::bigint, id from webhook_cursor for update skip locked",
                    rs -> new Position(rs.getLong(1), rs.getLong(2)));
            if (cursor.isEmpty()) {
                return new Batch(0, 0);
            }
            List<Event> batch = events.after(cursor.get(), BATCH);
            if (batch.isEmpty()) {
                return new Batch(0, 0);
            }
            List<WebhookStore.Subscriber> subscribers = webhooks.active();
            List<DeliveryStore.NewDelivery> created = new ArrayList<>();
            for (Event event : batch) {
                if (!event.announce()) {
                    continue;
                }
                String body = null;
                for (WebhookStore.Subscriber s : subscribers) {
                    if ((s.adminWide() || s.userId().equals(event.userId()))
                            && !s.createdAt().isAfter(event.createdAt())
                            && WebhookService.EventFilter.matchesAny(s.events(), event.type())) {
                        body = body != null ? body : body(event);
                        created.add(new DeliveryStore.NewDelivery(UUID.randomUUID(), s.id(), event.type().wire(),
                                body));
                    }
                }
            }
            deliveries.insert(created, config.retrySchedule().get(0));
            Position last = batch.get(batch.size() - 1).position();
            jdbc.update("update webhook_cursor set tx = ?::text::xid8, id = ?", last.tx(), last.id());
            return new Batch(batch.size(), created.size());
        });
    }

    private String body(Event event) {
        try {
            return json.writeValueAsString(EventPayload.of(event, json));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
