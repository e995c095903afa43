package dev.mailsync.graph;

import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Graph's per-mailbox limits on this replica: at most {@code permits} requests in flight for one mailbox (Outlook
 * allows 4 per app and mailbox), and none while a {@code Retry-After} that Graph gave for the mailbox runs.
 */
final class MailboxGates {

    private final ConcurrentMap<UUID, Gate> gates = new ConcurrentHashMap<>();
    private final int permits;
    private final Duration wait;

    MailboxGates(int permits, Duration wait) {
        this.permits = permits;
        this.wait = wait;
    }

    /** A slot for one request (close it when the answer is in). */
    interface Slot extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * Takes a slot for the mailbox, waiting up to the request timeout for one to free.
     *
     * @throws GraphFailure while a Retry-After runs, or when no slot freed in time
     */
    Slot enter(UUID mailboxId) {
        Gate gate = gates.computeIfAbsent(mailboxId, id -> new Gate(new Semaphore(permits, true)));
        gate.checkOpen();
        boolean entered;
        try {
            entered = gate.slots.tryAcquire(wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            entered = false;
        }
        if (!entered) {
            throw new GraphFailure("graph_throttled", "Too many Microsoft Graph requests for this mailbox in flight "
                    + "on this replica (" + permits + ")", false, false, null, true);
        }
        try {
            gate.checkOpen();
        } catch (GraphFailure e) {
            gate.slots.release();
            throw e;
        }
        return gate.slots::release;
    }

    /** Graph asked to leave the mailbox alone for {@code delay}. */
    void closeFor(UUID mailboxId, Duration delay) {
        Gate gate = gates.computeIfAbsent(mailboxId, id -> new Gate(new Semaphore(permits, true)));
        long until = System.nanoTime() + delay.toNanos();
        synchronized (gate) {
            if (gate.closedUntil == 0 || until - gate.closedUntil > 0) {
                gate.closedUntil = until;
            }
        }
    }

    private static final class Gate {
        final Semaphore slots;
        long closedUntil;

        Gate(Semaphore slots) {
            this.slots = slots;
        }

        synchronized void checkOpen() {
            if (closedUntil == 0) {
                return;
            }
            long left = closedUntil - System.nanoTime();
            if (left > 0) {
                // whole milliseconds, rounded up: the item is not retried a moment too early
                throw GraphErrors.waiting(Duration.ofMillis((left + 999_999) / 1_000_000));
            }
            closedUntil = 0;
        }
    }
}
