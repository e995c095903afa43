package dev.mailsync.outbox;

import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.mail.MessagingException;

import dev.mailsync.imap.ImapConnector;
import dev.mailsync.imap.ImapUnavailable;
import dev.mailsync.imap.ImapUse;
import dev.mailsync.imap.ImapSession;
import dev.mailsync.imap.SpecialFolders;
import dev.mailsync.message.MessageOperations;
import dev.mailsync.oauth.AccessTokens;
import dev.mailsync.oauth.ReauthorizationRequired;
import dev.mailsync.common.ReplicaId;
import dev.mailsync.oauth.TokenUnavailable;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.scheduler.Scheduled;

/**
 * Delivers the outbox: every {@code mailsync.outbox.poll} (and at once when mail is queued) up to
 * {@code concurrency} workers claim due items one at a time, until none is left, and submit each over SMTP
 * with a fresh access token. An item that an earlier attempt may have delivered (a
 * crash during the SMTP transaction, or a lost reply) is first looked up in the Sent folder by its Message-ID:
 * found means sent, so nothing is sent twice as long as the server files sent mail there, as Outlook does.
 */
@ApplicationScoped
public class OutboxSender {

    private final OutboxStore store;
    private final SmtpSubmitter smtp;
    private final AccessTokens tokens;
    private final ImapConnector imap;
    private final MessageOperations messages;
    private final OutboxConfig config;
    private final SpecialFolders special;
    private final OutboxMetrics metrics;
    private final SendBudget budget;
    private final String owner = ReplicaId.get();
    private final ExecutorService workers;
    private final AtomicInteger busy = new AtomicInteger();
    private volatile boolean stopping;

    public OutboxSender(OutboxStore store, SmtpSubmitter smtp, AccessTokens tokens, ImapConnector imap,
            MessageOperations messages, OutboxConfig config, SpecialFolders special, OutboxMetrics metrics,
            SendBudget budget) {
        this.store = store;
        this.smtp = smtp;
        this.tokens = tokens;
        this.imap = imap;
        this.messages = messages;
        this.config = config;
        this.special = special;
        this.metrics = metrics;
        this.budget = budget;
        AtomicInteger n = new AtomicInteger();
        this.workers = Executors.newFixedThreadPool(config.concurrency(), r -> {
            Thread t = new Thread(r, "outbox-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /** Looks for due mail at once instead of at the next poll. */
    void wakeUp() {
        if (config.enabled() && !stopping) {
            CompletableFuture.runAsync(this::dispatch, workers);
        }
    }

    @Scheduled(every = "{mailsync.outbox.poll}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    synchronized void dispatch() {
        if (!config.enabled() || stopping) {
            return;
        }
        for (int free = config.concurrency() - busy.get(); free > 0; free--) {
            busy.incrementAndGet();
            workers.execute(this::drain);
        }
    }

    /** One worker: claims and sends one item after another until none is due. */
    private void drain() {
        try {
            while (!stopping) {
                List<OutboxStore.Claimed> claimed = store.claim(owner, 1, config.lease());
                if (claimed.isEmpty()) {
                    return;
                }
                attempt(claimed.get(0));
            }
        } catch (RuntimeException e) {
            Log.warnf("The outbox sender stopped until its next poll: %s", e.getMessage());
        } finally {
            busy.decrementAndGet();
        }
    }

    /** Forgets sent and failed items after {@code mailsync.outbox.retention} (any replica; deleting is idempotent). */
    @Scheduled(every = "1h", delayed = "5m", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void purgeExpired() {
        if (stopping) {
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

    /** One attempt, with the item's share of the send memory budget (its message is loaded whole). */
    void attempt(OutboxStore.Claimed item) {
        try (SendBudget.Share share = budget.forSubmission(item.size())) {
            attemptWithin(item);
        }
    }

    private void attemptWithin(OutboxStore.Claimed item) {
        OutboxStore.Pending pending = store.pending(item.id()).orElse(null);
        if (pending == null) {
            return;
        }
        int attempt = pending.attempts();
        try {
            if (item.reconcile() && reconciled(item.id(), pending)) {
                return;
            }
            String token = tokens.accessToken(pending.mailboxId());
            String response = metrics.timeSubmission(
                    () -> smtp.submit(pending.address(), token, pending.mime(), pending.envelope()));
            if (config.appendToSent()) {
                appendToSent(pending);
            }
            metrics.sent();
            if (!store.sent(item.id(), owner, response)) {
                // the submission outlasted the lease: whoever holds the item now finds it in the Sent folder
                Log.warnf("Sent outbox item %s, but its lease had run out; the next holder reconciles it", item.id());
                return;
            }
            if (pending.answersMessageId() != null) {
                markAnswered(pending);
            }
            Log.infof("Sent outbox item %s of mailbox %s (attempt %d): %s", item.id(), pending.mailboxId(), attempt,
                    response);
        } catch (SmtpFailure e) {
            metrics.smtpError(e.code());
            failOrRetry(item.id(), attempt, e.code(), e.getMessage(), e.permanent(), e.ambiguous(), null);
        } catch (ReauthorizationRequired e) {
            failOrRetry(item.id(), attempt, "mailbox_reauth_required", "The mailbox must be reconnected before it "
                    + "can send: " + e.getMessage(), true, false, null);
        } catch (TokenUnavailable e) {
            failOrRetry(item.id(), attempt, "token_unavailable", "No access token right now: " + e.getMessage(),
                    false, false, e.retryAfter().orElse(null));
        } catch (ReconcileFailed e) {
            failOrRetry(item.id(), attempt, "reconcile_failed", e.getMessage(), false, true, null);
        } catch (RuntimeException e) {
            Log.errorf(e, "Outbox item %s failed unexpectedly", item.id());
            failOrRetry(item.id(), attempt, "internal_error", "Unexpected failure: " + e.getMessage(), false, false,
                    null);
        }
    }

    /**
     * An earlier attempt may have delivered the item: look for its Message-ID in the Sent folder.
     *
     * @return {@code true} when it is there (now recorded as sent)
     */
    private boolean reconciled(UUID id, OutboxStore.Pending pending) {
        try (ImapSession session = imap.open(pending.mailboxId(), ImapUse.OUTBOX)) {
            String sent = special.sent(session.listFolders())
                    .orElseThrow(() -> new ReconcileFailed("the mailbox has no Sent folder to check"));
            if (session.hasMessageId(sent, pending.messageId())) {
                store.sent(id, owner, "found in " + sent + " after an interrupted attempt");
                metrics.reconciled("found");
                Log.infof("Outbox item %s was already sent (found in %s); not sending it again", id, sent);
                return true;
            }
            metrics.reconciled("absent");
            return false;
        } catch (MessagingException | ImapUnavailable e) {
            throw new ReconcileFailed("could not check the Sent folder for an interrupted attempt: "
                    + e.getMessage());
        }
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

    private void appendToSent(OutboxStore.Pending pending) {
        try (ImapSession session = imap.open(pending.mailboxId(), ImapUse.OUTBOX)) {
            String sent = special.sent(session.listFolders()).orElse(null);
            if (sent == null) {
                Log.warnf("Mailbox %s has no Sent folder; the sent message was not filed", pending.mailboxId());
                return;
            }
            session.append(sent, pending.mime());
        } catch (MessagingException | RuntimeException e) {
            // the mail is sent; only the copy is missing
            Log.warnf("Could not file the sent message in the Sent folder of mailbox %s: %s", pending.mailboxId(),
                    e.getMessage());
        }
    }

    private void failOrRetry(UUID id, int attempt, String code, String message, boolean permanent,
            boolean reconcile, Duration retryAfter) {
        if (permanent || attempt >= config.maxAttempts()) {
            store.failed(id, owner, code, message, reconcile);
            metrics.failed(code);
            Log.warnf("Outbox item %s failed after %d attempt(s): %s", id, attempt, message);
            return;
        }
        Duration delay = backoff(attempt);
        if (retryAfter != null && retryAfter.compareTo(delay) > 0) {
            delay = retryAfter;
        }
        store.retryLater(id, owner, code, message, delay, reconcile);
        metrics.retried(code);
        Log.infof("Outbox item %s: attempt %d failed (%s), next in %s", id, attempt, code, delay);
    }

    /** The delay after the given attempt: {@code retry-delay} doubled per attempt, at most {@code max-backoff}. */
    Duration backoff(int attempt) {
        Duration delay = config.retryDelay().multipliedBy(1L << Math.min(attempt - 1, 20));
        return delay.compareTo(config.maxBackoff()) > 0 ? config.maxBackoff() : delay;
    }

    /** SIGTERM: stop claiming and let submissions in progress finish (their leases protect them otherwise). */
    void stop(@Observes ShutdownEvent event) {
        stopping = true;
        workers.shutdown();
        try {
            workers.awaitTermination(config.shutdownGrace().toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static final class ReconcileFailed extends RuntimeException {
        ReconcileFailed(String message) {
            super(message, null, false, false);
        }
    }
}
