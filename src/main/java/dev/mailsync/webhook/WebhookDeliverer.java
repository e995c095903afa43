package dev.mailsync.webhook;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

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
    private final ExecutorService workers;
    private final AtomicInteger busy = new AtomicInteger();
    private volatile boolean stopping;

    public WebhookDeliverer(DeliveryStore deliveries, WebhookStore webhooks, WebhookSender sender,
            WebhookConfig config, WebhookMetrics metrics) {
        this.deliveries = deliveries;
        this.webhooks = webhooks;
        this.sender = sender;
        this.config = config;
        this.metrics = metrics;
        AtomicInteger n = new AtomicInteger();
        this.workers = Executors.newFixedThreadPool(config.concurrency(), r -> {
            Thread t = new Thread(r, "webhook-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /** Looks for due deliveries at once instead of at the next poll. */
    void wakeUp() {
        if (config.enabled() && !stopping) {
            CompletableFuture.runAsync(this::dispatch, workers);
        }
    }

    @Scheduled(every = "{mailsync.webhooks.poll}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    synchronized void dispatch() {
        if (!config.enabled() || stopping) {
            return;
        }
        for (int free = config.concurrency() - busy.get(); free > 0; free--) {
            busy.incrementAndGet();
            workers.execute(this::drain);
        }
    }

    /** One worker: claims and attempts one delivery after another until none is due. */
    private void drain() {
        try {
            while (!stopping) {
                List<DeliveryStore.Claimed> claimed = deliveries.claim(owner, 1, config.lease());
                if (claimed.isEmpty()) {
                    return;
                }
                attempt(claimed.get(0));
            }
        } catch (RuntimeException e) {
            Log.warnf("A webhook worker stopped until the next poll: %s", e.getMessage());
        } finally {
            busy.decrementAndGet();
        }
    }

    /** Forgets delivered and failed deliveries after {@code mailsync.webhooks.retention} (any replica). */
    @Scheduled(every = "1h", delayed = "5m", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void purgeExpired() {
        if (!stopping) {
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
        stopping = true;
        workers.shutdown();
        try {
            workers.awaitTermination(config.timeout().toMillis() + 1000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
