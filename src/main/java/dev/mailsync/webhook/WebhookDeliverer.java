package dev.mailsync.webhook;

import java.time.Duration;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import dev.mailsync.common.ClaimWorkers;
import dev.mailsync.common.ReplicaId;
import dev.mailsync.common.crypto.SecretColumn;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.scheduler.Scheduled;

/**
 * Works the delivery queue: every {@code mailsync.webhooks.poll} (and at once after a fan-out) up to
 * {@code concurrency} workers claim due deliveries one at a time and attempt each ({@link WebhookSender}). A 2xx
 * delivers; anything else is retried on {@code retry-schedule} until it runs out; a 410 Gone disables the webhook
 * at once, and so do {@code disable-after} deliveries in a row that failed every attempt.
 */
@ApplicationScoped
public class WebhookDeliverer {

    private final DeliveryStore deliveries;
    private final WebhookStore webhooks;
    private final WebhookSender sender;
    private final WebhookConfig config;
    private final WebhookMetrics metrics;
    private final String owner = ReplicaId.get();
    private final ClaimWorkers<DeliveryStore.Claimed> workers;

    public WebhookDeliverer(DeliveryStore deliveries, WebhookStore webhooks, WebhookSender sender,
            WebhookConfig config, WebhookMetrics metrics) {
        this.deliveries = deliveries;
        this.webhooks = webhooks;
        this.sender = sender;
        this.config = config;
        this.metrics = metrics;
        this.workers = new ClaimWorkers<>("webhook", config.concurrency(),
                () -> deliveries.claim(owner, 1, config.lease()), this::attempt);
    }

    /** Looks for due deliveries at once instead of at the next poll. */
    void wakeUp() {
        if (config.enabled()) {
            workers.wakeUp();
        }
    }

    @Scheduled(every = "{mailsync.webhooks.poll}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void dispatch() {
        if (config.enabled()) {
            workers.dispatch();
        }
    }

    /** Forgets delivered and failed deliveries after {@code mailsync.webhooks.retention} (any replica). */
    @Scheduled(every = "1h", delayed = "5m", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void purgeExpired() {
        if (!workers.stopping()) {
            int purged = deliveries.purge(config.retention());
            if (purged > 0) {
                Log.infof("Deleted %d webhook deliveries older than %s", purged, config.retention());
            }
        }
    }

    void attempt(DeliveryStore.Claimed delivery) {
        String secret = SecretColumn.WEBHOOK_SECRET.open(delivery.webhookId(), delivery.sealedSecret());
        DeliveryStore.Outcome outcome = sender.send(delivery, secret);
        int status = outcome.status() == null ? 0 : outcome.status();
        if (status >= 200 && status < 300) {
            metrics.attempt("delivered");
            if (deliveries.delivered(delivery.id(), owner, outcome)) {
                webhooks.succeeded(delivery.webhookId());
                metrics.delivery("delivered");
            }
            return;
        }
        metrics.attempt(outcome.status() == null ? "error" : "rejected");
        if (status == 410) {
            deliveries.failed(delivery.id(), owner, outcome);
            metrics.delivery("failed");
            disable(delivery, "the receiver answered 410 Gone");
            return;
        }
        List<Duration> schedule = config.retrySchedule();
        if (delivery.attempts() < schedule.size()) {
            Duration delay = schedule.get(delivery.attempts());
            deliveries.retryLater(delivery.id(), owner, outcome, delay);
            Log.debugf("Webhook delivery %s: attempt %d failed (%s), next in %s", delivery.id(),
                    delivery.attempts(), describe(outcome), delay);
            return;
        }
        if (!deliveries.failed(delivery.id(), owner, outcome)) {
            return;
        }
        metrics.delivery("failed");
        Log.infof("Webhook delivery %s to webhook %s failed after %d attempts (%s)", delivery.id(),
                delivery.webhookId(), delivery.attempts(), describe(outcome));
        int inARow = webhooks.exhausted(delivery.webhookId());
        if (inARow >= config.disableAfter()) {
            disable(delivery, inARow + " deliveries in a row failed every attempt (last: " + describe(outcome)
                    + ")");
        }
    }

    private void disable(DeliveryStore.Claimed delivery, String reason) {
        if (webhooks.disable(delivery.webhookId(), reason)) {
            metrics.disabled();
            Log.warnf("Webhook %s disabled: %s", delivery.webhookId(), reason);
        }
    }

    private static String describe(DeliveryStore.Outcome outcome) {
        return outcome.status() == null ? outcome.error() : "HTTP " + outcome.status();
    }

    /** SIGTERM: stop claiming; attempts in progress end within their timeout (their leases protect them). */
    void stop(@Observes ShutdownEvent event) {
        workers.stop(config.timeout().plusSeconds(1));
    }
}
