package dev.mailsync.outbox;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import dev.mailsync.common.ClaimWorkers;
import dev.mailsync.common.ReplicaId;
import dev.mailsync.graph.GraphFailure;
import dev.mailsync.message.MessageOperations;
import io.quarkus.arc.Arc;
import io.quarkus.arc.ManagedContext;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.scheduler.Scheduled;

/**
 * Delivers the outbox: every {@code mailsync.outbox.poll} (and at once when mail is queued) up to
 * {@code concurrency} workers claim due items one at a time, until none is left, and hand each to the mailbox's
 * transport ({@link Transports}: SMTP or Microsoft Graph) with a fresh access token. An item that an earlier attempt
 * may have delivered (a crash during the submission, or a lost reply) is first looked up in the Sent folder by its
 * Message-ID: found means sent, so nothing is sent twice as long as the server files sent mail there, as Outlook
 * does for both transports.
 */
@ApplicationScoped
public class OutboxSender {

    private final OutboxStore store;
    private final Transports transports;
    private final MessageOperations messages;
    private final OutboxConfig config;
    private final OutboxMetrics metrics;
    private final SendBudget budget;
    private final String owner = ReplicaId.get();
    private final ClaimWorkers<OutboxStore.Claimed> workers;

    public OutboxSender(OutboxStore store, Transports transports, MessageOperations messages, OutboxConfig config,
            OutboxMetrics metrics, SendBudget budget) {
        this.store = store;
        this.transports = transports;
        this.messages = messages;
        this.config = config;
        this.metrics = metrics;
        this.budget = budget;
        this.workers = new ClaimWorkers<>("outbox", config.concurrency(),
                () -> store.claim(owner, 1, config.lease()), this::attempt);
    }

    /** Looks for due mail at once instead of at the next poll. */
    void wakeUp() {
        if (config.enabled()) {
            workers.wakeUp();
        }
    }

    @Scheduled(every = "{mailsync.outbox.poll}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void dispatch() {
        if (config.enabled()) {
            workers.dispatch();
        }
    }

    /** Forgets sent and failed items after {@code mailsync.outbox.retention} (any replica; deleting is idempotent). */
    @Scheduled(every = "1h", delayed = "5m", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void purgeExpired() {
        if (workers.stopping()) {
            return;
        }
        int purged = store.purge(config.retention());
        if (purged > 0) {
            Log.infof("Deleted %d outbox items older than %s", purged, config.retention());
        }
    }

    /** Claims and handles every due item on the calling thread; answers how many it handled (tests, tools). */
    public int sendDueNow() {
        List<OutboxStore.Claimed> claimed = store.claim(owner, 100, config.lease());
        claimed.forEach(this::attempt);
        return claimed.size();
    }

    /**
     * One attempt, with the item's share of the send memory budget (its message is loaded whole), in a request
     * context of its own on the sender's threads (the token refresh reads the provider settings through Panache).
     */
    void attempt(OutboxStore.Claimed item) {
        ManagedContext request = Arc.container().requestContext();
        boolean activated = !request.isActive();
        if (activated) {
            request.activate();
        }
        try (SendBudget.Share share = budget.forSubmission(item.size())) {
            attemptWithin(item);
        } finally {
            if (activated) {
                request.terminate();
            }
        }
    }

    private void attemptWithin(OutboxStore.Claimed item) {
        OutboxStore.Pending pending = store.pending(item.id()).orElse(null);
        if (pending == null) {
            return;
        }
        int attempt = pending.attempts();
        Submission submission = null;
        try {
            submission = transports.forMailbox(pending.mailboxId());
            if (item.reconcile() && reconciled(item.id(), pending, submission)) {
                return;
            }
            String response;
            try {
                response = submission.submit(pending);
            } catch (SmtpFailure e) {
                Submission fallback = transports.fallbackAfter(pending.mailboxId(), e);
                if (fallback == null) {
                    throw e;
                }
                // SMTP AUTH was refused before any mail was taken: the same attempt goes on through Graph
                metrics.smtpError(e.code());
                submission = fallback;
                response = submission.submit(pending);
            }
            metrics.sent();
            if (!store.sent(item.id(), owner, response, submission.transport())) {
                // the submission outlasted the lease: whoever holds the item now finds it in the Sent folder
                Log.warnf("Sent outbox item %s, but its lease had run out; the next holder reconciles it", item.id());
                return;
            }
            if (pending.answersMessageId() != null) {
                markAnswered(pending);
            }
            Log.infof("Sent outbox item %s of mailbox %s (attempt %d, %s): %s", item.id(), pending.mailboxId(),
                    attempt, submission.transport().wire(), response);
        } catch (RuntimeException e) {
            Failure failure = Failure.of(e);
            if (e instanceof SmtpFailure) {
                metrics.smtpError(failure.code());
            } else if (e instanceof GraphFailure) {
                metrics.graphError(failure.code());
            } else if (failure.code().equals("internal_error")) {
                Log.errorf(e, "Outbox item %s failed unexpectedly", item.id());
            }
            failOrRetry(item.id(), attempt, submission == null ? null : submission.transport(), failure);
        }
    }

    /**
     * An earlier attempt may have delivered the item: look for its Message-ID in the Sent folder (over IMAP, or
     * Sent Items through Graph when the mailbox sends through Graph; both are the same folder).
     *
     * @return {@code true} when it is there (now recorded as sent)
     */
    private boolean reconciled(UUID id, OutboxStore.Pending pending, Submission submission) {
        if (submission.inSentFolder(pending)) {
            store.sent(id, owner, "found in the Sent folder after an interrupted attempt", null);
            metrics.reconciled("found");
            Log.infof("Outbox item %s was already sent (found in the Sent folder); not sending it again", id);
            return true;
        }
        metrics.reconciled("absent");
        return false;
    }

    private void markAnswered(OutboxStore.Pending pending) {
        try {
            messages.markAnswered(pending.mailboxId(), pending.answersMessageId());
        } catch (RuntimeException e) {
            // the reply is sent; only the flag is missing (the original may be gone)
            Log.infof("Could not mark message %d of mailbox %s answered: %s", pending.answersMessageId(),
                    pending.mailboxId(), e.getMessage());
        }
    }

    private void failOrRetry(UUID id, int attempt, Transport transport, Failure failure) {
        if (failure.permanent() || (attempt >= config.maxAttempts() && !failure.deferred())) {
            store.failed(id, owner, failure.code(), failure.message(), failure.reconcile(), transport);
            metrics.failed(failure.code());
            Log.warnf("Outbox item %s failed after %d attempt(s): %s", id, attempt, failure.message());
            return;
        }
        Duration delay = backoff(attempt);
        if (failure.retryAfter() != null && failure.retryAfter().compareTo(delay) > 0) {
            delay = failure.retryAfter();
        }
        store.retryLater(id, owner, failure.code(), failure.message(), delay, failure.reconcile(), transport,
                failure.deferred());
        metrics.retried(failure.code());
        Log.infof("Outbox item %s: attempt %d failed (%s), next in %s", id, attempt, failure.code(), delay);
    }

    /** The delay after the given attempt: {@code retry-delay} doubled per attempt, at most {@code max-backoff}. */
    Duration backoff(int attempt) {
        Duration delay = config.retryDelay().multipliedBy(1L << Math.min(attempt - 1, 20));
        return delay.compareTo(config.maxBackoff()) > 0 ? config.maxBackoff() : delay;
    }

    /** SIGTERM: stop claiming and let submissions in progress finish (their leases protect them otherwise). */
    void stop(@Observes ShutdownEvent event) {
        workers.stop(config.shutdownGrace());
    }
}
