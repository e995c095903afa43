package dev.mailsync.outbox;

import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import jakarta.enterprise.context.ApplicationScoped;

import dev.mailsync.common.problem.ProblemCode;
import dev.mailsync.common.problem.ProblemException;

/**
 * Bytes of mail held in memory for sending on this replica ({@code mailsync.outbox.memory-budget}): a message being
 * composed by the API (its MIME bytes are built in memory) and one being submitted by the sender each take their
 * share before they start, so that concurrent large messages wait for each other instead of exhausting the heap. A
 * message larger than the whole budget waits until it is alone.
 */
@ApplicationScoped
public class SendBudget {

    private final Semaphore kilobytes;
    private final int total;
    private final Duration wait;

    public SendBudget(OutboxConfig config) {
        this.wait = config.memoryWait();
        this.total = (int) Math.max(1, Math.min(Integer.MAX_VALUE, config.memoryBudget().asLongValue() / 1024));
        this.kilobytes = new Semaphore(total, true);
    }

    /** A share of the budget; closing it gives it back. */
    public final class Share implements AutoCloseable {
        private final int permits;
        private boolean released;

        private Share(int permits) {
            this.permits = permits;
        }

        @Override
        public void close() {
            if (!released) {
                released = true;
                kilobytes.release(permits);
            }
        }
    }

    /** For an API request: waits up to {@code mailsync.outbox.memory-wait}, then answers 503. */
    public Share forRequest(long bytes) {
        int permits = permits(bytes);
        try {
            if (kilobytes.tryAcquire(permits, wait.toMillis(), TimeUnit.MILLISECONDS)) {
                return new Share(permits);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        throw ProblemException.retryAfter(ProblemCode.SENDING_BUSY,
                "Other large messages are being composed or sent on this replica; try again shortly",
                Duration.ofSeconds(5));
    }

    /** For the sender: waits as long as it takes (compositions hold their share for seconds). */
    public Share forSubmission(long bytes) {
        int permits = permits(bytes);
        kilobytes.acquireUninterruptibly(permits);
        return new Share(permits);
    }

    private int permits(long bytes) {
        return (int) Math.min(total, Math.max(1, (bytes + 1023) / 1024));
    }
}
