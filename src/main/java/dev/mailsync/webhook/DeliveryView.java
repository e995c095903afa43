package dev.mailsync.webhook;

import java.time.Instant;
import java.util.List;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * One delivery of one event to a webhook: {@code id} is the {@code webhook-id} header of every attempt; state
 * {@code pending} (waiting for its next attempt at {@code nextAttemptAt}), {@code delivering}, {@code delivered} or
 * {@code failed} (every attempt failed, or the webhook was disabled).
 */
@Schema(name = "WebhookDelivery")
public record DeliveryView(String id, String eventType, String state, int attempts, Instant nextAttemptAt,
        Integer lastStatus, String lastError, String response, List<Attempt> attemptLog, Instant createdAt,
        Instant deliveredAt) {

    /** One attempt: when, the HTTP status (none when no response came), the error, and how long it took. */
        public record Attempt(Instant at, Integer status, String error, long millis) {
    }
}
