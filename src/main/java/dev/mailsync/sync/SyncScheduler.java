package dev.mailsync.sync;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.TransactionPhase;

import dev.mailsync.mailbox.MailboxConnected;

import dev.mailsync.common.ReplicaId;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.scheduler.Scheduled;

/**
 * Starts the sync passes: every {@code mailsync.sync.poll}, at a wake-up, and as soon as a pass ends while more
 * mailboxes are due, it claims as many due mailboxes as the {@link ConcurrencyLimit} leaves free and hands each to
 * {@link MailboxSyncer}. The limit moves between {@code mailsync.sync.concurrency} and
 * {@code mailsync.sync.max-concurrency}, adjusted at most once a {@link #ADJUST_EVERY} from the backlog and the
 * {@link SyncLoad}. (It is not the only scheduled class: the outbox and the pending connections have their own jobs.)
 */
@ApplicationScoped
public class SyncScheduler {

    /** After the shutdown grace, how long closed passes get to release their leases (in the k8s grace sum). */
    public static final Duration ABORT_WAIT = Duration.ofSeconds(5);
    /** How often the concurrency limit may change (while passes are claimed). */
    static final Duration ADJUST_EVERY = Duration.ofSeconds(1);

    private final SyncLeases leases;
    private final MailboxSyncer syncer;
    private final SyncConfig config;
    private final SyncLoad load;
    private final ConcurrencyLimit limit;
    private final String owner = ReplicaId.get();
    private final ThreadPoolExecutor workers;
    private final Set<UUID> running = ConcurrentHashMap.newKeySet();
    private final AtomicInteger busy = new AtomicInteger();
    private final AtomicBoolean wakeUpQueued = new AtomicBoolean();
    private volatile boolean stopping;
    private volatile Instant lastDispatch = Instant.now();
    /** Whether the last claim took as many mailboxes as it asked for: every slot filled, more probably due. */
    private volatile boolean backlog;
    private long lastAdjust = System.nanoTime();

    public SyncScheduler(SyncLeases leases, MailboxSyncer syncer, SyncConfig config, SyncLoad load,
            MeterRegistry registry) {
        this.leases = leases;
        this.syncer = syncer;
        this.config = config;
        this.load = load;
        this.limit = new ConcurrencyLimit(config.concurrency(), Math.max(config.concurrency(), config.maxConcurrency()));
        AtomicInteger n = new AtomicInteger();
        // one thread per pass the limit allows (it moves the core size); wake-ups queue behind busy passes
        this.workers = new ThreadPoolExecutor(limit.limit(), Math.max(config.concurrency(), config.maxConcurrency()),
                60, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
                    Thread t = new Thread(r, "sync-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        Gauge.builder("mailsync.sync.concurrency.limit", this, s -> s.concurrencyLimit())
                .description("Sync passes this replica may run at once now (between concurrency and max-concurrency)")
                .register(registry);
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
        return workers.getQueue().size();
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
        adjustLimit();
        int free = limit.limit() - busy.get();
        if (free <= 0) {
            return;
        }
        List<UUID> claimed = leases.claimDue(owner, free);
        backlog = claimed.size() == free;
        for (UUID mailboxId : claimed) {
            busy.incrementAndGet();
            running.add(mailboxId);
            workers.execute(() -> {
                try {
                    syncer.runPass(mailboxId, owner);
                } finally {
                    running.remove(mailboxId);
                    busy.decrementAndGet();
                    if (backlog) {
                        wakeUp(); // more were due: the freed slot takes the next at once, not at the next poll
                    }
                }
            });
        }
    }

    /** At most once a {@link #ADJUST_EVERY}: the limit after the period since the last adjustment. */
    private void adjustLimit() {
        long now = System.nanoTime();
        if (now - lastAdjust < ADJUST_EVERY.toNanos()) {
            return;
        }
        lastAdjust = now;
        int before = limit.limit();
        int after = limit.adjust(new ConcurrencyLimit.Load(backlog, load.cpu(), load.poolWaitPerSecond()));
        if (after != before) {
            workers.setCorePoolSize(after);
            Log.debugf("Sync concurrency limit %d -> %d", before, after);
        }
    }

    /** Passes this replica may run at once now. */
    public int concurrencyLimit() {
        return limit.limit();
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
