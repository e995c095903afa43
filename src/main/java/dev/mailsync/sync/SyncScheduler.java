package dev.mailsync.sync;

import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.TransactionPhase;

import dev.mailsync.mailbox.MailboxConnected;

import dev.mailsync.common.ReplicaId;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.scheduler.Scheduled;

/**
 * Starts the sync passes: every {@code mailsync.sync.poll} it claims as many due mailboxes as it has free
 * workers ({@code mailsync.sync.concurrency}) and hands each to {@link MailboxSyncer}. (It is not the only
 * scheduled class: the outbox and the pending connections have their own jobs.)
 */
@ApplicationScoped
public class SyncScheduler {

    /** After the shutdown grace, how long closed passes get to release their leases (in the k8s grace sum). */
    public static final Duration ABORT_WAIT = Duration.ofSeconds(5);

    private final SyncLeases leases;
    private final MailboxSyncer syncer;
    private final SyncConfig config;
    private final String owner = ReplicaId.get();
    private final ExecutorService workers;
    private final Set<UUID> running = ConcurrentHashMap.newKeySet();
    private final AtomicInteger busy = new AtomicInteger();
    private final AtomicBoolean wakeUpQueued = new AtomicBoolean();
    private volatile boolean stopping;
    private volatile Instant lastDispatch = Instant.now();

    public SyncScheduler(SyncLeases leases, MailboxSyncer syncer, SyncConfig config) {
        this.leases = leases;
        this.syncer = syncer;
        this.config = config;
        AtomicInteger n = new AtomicInteger();
        this.workers = Executors.newFixedThreadPool(config.concurrency(), r -> {
            Thread t = new Thread(r, "sync-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Looks for due work at once (a mailbox was connected or a pass requested), not at the next poll. Wake-ups
     * coalesce: at most one waits in the workers' queue, however often {@code POST .../sync} is called (the
     * requests themselves are one flag per mailbox in {@code mailbox_sync}), so nothing grows without bound.
     */
    public void wakeUp() {
        if (config.enabled() && !stopping && wakeUpQueued.compareAndSet(false, true)) {
            CompletableFuture.runAsync(() -> {
                wakeUpQueued.set(false);
                dispatch();
            }, workers);
        }
    }

    /** Tasks waiting for a worker (wake-ups and passes); bounded by the coalescing above and the free workers. */
    int queuedTasks() {
        return ((ThreadPoolExecutor) workers).getQueue().size();
    }

    /** A connected or re-linked mailbox is synced right away (after the connecting transaction commits). */
    void onConnected(@Observes(during = TransactionPhase.AFTER_SUCCESS) MailboxConnected event) {
        leases.scheduleNow(event.mailboxId());
        wakeUp();
    }

    @Scheduled(every = "{mailsync.sync.poll}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    synchronized void dispatch() {
        if (!config.enabled() || stopping) {
            return;
        }
        lastDispatch = Instant.now();
        int free = config.concurrency() - busy.get();
        if (free <= 0) {
            return;
        }
        for (UUID mailboxId : leases.claimDue(owner, free)) {
            busy.incrementAndGet();
            running.add(mailboxId);
            workers.execute(() -> {
                try {
                    syncer.runPass(mailboxId, owner);
                } finally {
                    running.remove(mailboxId);
                    busy.decrementAndGet();
                }
            });
        }
    }

    /** When the last dispatch ran (the readiness check watches it). */
    public Instant lastDispatch() {
        return lastDispatch;
    }

    /** Passes running on this replica now. */
    public int running() {
        return busy.get();
    }

    /**
     * SIGTERM: stop claiming, give running passes {@code mailsync.sync.shutdown-grace} to finish, then close
     * their IMAP connections and release their leases so that another replica takes over at once.
     */
    void stop(@Observes ShutdownEvent event) {
        stopping = true;
        workers.shutdown();
        try {
            if (!workers.awaitTermination(config.shutdownGrace().toMillis(), TimeUnit.MILLISECONDS)) {
                syncer.abortRunningPasses();
                workers.awaitTermination(ABORT_WAIT.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (UUID mailboxId : running) {
            Log.infof("Releasing the sync lease of mailbox %s at shutdown", mailboxId);
            leases.release(mailboxId, owner);
        }
    }
}
