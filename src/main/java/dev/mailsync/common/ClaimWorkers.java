package dev.mailsync.common;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Supplier;

import io.quarkus.logging.Log;

/**
 * Workers that drain a leased queue (the outbox, webhook deliveries): {@link #dispatch} starts as many workers as are
 * free, and each claims one item after another and handles it until none is due or the pool stops. The queue's rows
 * are claimed with {@code FOR UPDATE SKIP LOCKED}, so every replica may drain at once.
 *
 * @param <T> a claimed item
 */
public final class ClaimWorkers<T> {

    private final String name;
    private final int size;
    private final Supplier<List<T>> claimOne;
    private final Consumer<T> handle;
    private final ExecutorService workers;
    private final AtomicInteger busy = new AtomicInteger();
    private volatile boolean stopping;

    /**
     * @param name the threads' name prefix, and the queue's name in the log
     * @param claimOne claims at most one due item (empty when none is due)
     */
    public ClaimWorkers(String name, int size, Supplier<List<T>> claimOne, Consumer<T> handle) {
        this.name = name;
        this.size = size;
        this.claimOne = claimOne;
        this.handle = handle;
        AtomicInteger n = new AtomicInteger();
        this.workers = Executors.newFixedThreadPool(size, r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /** Looks for due items at once instead of at the next {@link #dispatch}. */
    public void wakeUp() {
        if (!stopping) {
            CompletableFuture.runAsync(this::dispatch, workers);
        }
    }

    /** Starts a worker in every free slot. */
    public synchronized void dispatch() {
        if (stopping) {
            return;
        }
        for (int free = size - busy.get(); free > 0; free--) {
            busy.incrementAndGet();
            workers.execute(this::drain);
        }
    }

    public boolean stopping() {
        return stopping;
    }

    /** Stops claiming and lets the items in hand finish within {@code grace} (their leases protect them otherwise). */
    public void stop(Duration grace) {
        stopping = true;
        workers.shutdown();
        try {
            workers.awaitTermination(grace.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void drain() {
        try {
            while (!stopping) {
                List<T> claimed = claimOne.get();
                if (claimed.isEmpty()) {
                    return;
                }
                handle.accept(claimed.get(0));
            }
        } catch (RuntimeException e) {
            Log.warnf("A %s worker stopped until the next poll: %s", name, e.getMessage());
        } finally {
            busy.decrementAndGet();
        }
    }
}
