package dev.mailsync.sync;

import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import io.quarkus.logging.Log;

/**
 * Keeps a pass's lease while the pass is at work, whatever it is doing (a long {@code UID FETCH}, a slow parse, a
 * large batch insert): every third of the lease it extends the lease. Renewing only after stored batches let a
 * lease run out during one long step, and another replica then ran the same pass a second time. When the lease
 * turns out to be lost, {@code onLost} stops the pass.
 */
final class Heartbeat implements AutoCloseable {

    private final ScheduledFuture<?> beats;
    private volatile boolean lost;
    private boolean closed;

    private Heartbeat(ScheduledExecutorService timer, SyncLeases leases, UUID mailboxId, String owner,
            Duration lease, Runnable onLost) {
        long every = Math.max(lease.toMillis() / 3, 100);
        this.beats = timer.scheduleWithFixedDelay(() -> beat(leases, mailboxId, owner, onLost), every, every,
                TimeUnit.MILLISECONDS);
    }

    private synchronized void beat(SyncLeases leases, UUID mailboxId, String owner, Runnable onLost) {
        if (closed || lost) {
            return;
        }
        try {
            if (!leases.extend(mailboxId, owner)) {
                lost = true;
                onLost.run();
            }
        } catch (RuntimeException e) {
            // the database may be away for a moment: the next beat tries again before the lease runs out
            Log.warnf("Could not extend the sync lease of mailbox %s: %s", mailboxId, e.getMessage());
        }
    }

    static Heartbeat start(ScheduledExecutorService timer, SyncLeases leases, UUID mailboxId, String owner,
            Duration lease, Runnable onLost) {
        return new Heartbeat(timer, leases, mailboxId, owner, lease, onLost);
    }

    boolean lost() {
        return lost;
    }

    /** Stops the beats (waiting for one in progress, so none runs after the pass has ended). */
    @Override
    public synchronized void close() {
        closed = true;
        beats.cancel(false);
    }
}
