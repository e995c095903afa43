package dev.mailsync.sync;

/**
 * How many sync passes a replica runs at once: a limit between {@code mailsync.sync.concurrency} and
 * {@code mailsync.sync.max-concurrency}, adjusted additive-increase / multiplicative-decrease (AIMD) from one
 * {@link Load} a period. A pass mostly waits: on the IMAP server, on the token endpoint, on PostgreSQL. So while
 * every slot is taken, more mailboxes are due and neither the CPU nor the database pool is saturated, one more
 * pass at once adds throughput and the limit grows by one; when the CPU is saturated or passes wait for a
 * database connection, more passes would only queue, and the limit drops by a quarter. Pure: no clock, no
 * threads; {@link SyncScheduler} feeds it.
 */
final class ConcurrencyLimit {

    /** CPU use (0..1, the whole machine or container) from which the CPU counts as saturated. */
    static final double CPU_SATURATED = 0.9;
    /**
     * Seconds spent waiting for a database connection per second (summed over threads) from which the pool counts
     * as saturated: a pass that waits for a connection gains nothing from company.
     */
    static final double POOL_WAIT_SATURATED = 0.05;

    /**
     * What a period looked like: whether the last claim filled every free slot (so every slot was busy and more
     * mailboxes are probably due), CPU use (0..1) and seconds spent waiting for a database connection per second.
     */
    record Load(boolean backlog, double cpu, double poolWaitPerSecond) {

        /** {@code cpu} is below zero when unknown (and then not saturated). */
        boolean saturated() {
            return cpu >= CPU_SATURATED || poolWaitPerSecond >= POOL_WAIT_SATURATED;
        }
    }

    private final int min;
    private final int max;
    private int limit;

    ConcurrencyLimit(int min, int max) {
        if (min < 1 || max < min) {
            throw new IllegalArgumentException("need 1 <= concurrency <= max-concurrency, got " + min + " and " + max);
        }
        this.min = min;
        this.max = max;
        this.limit = min;
    }

    int limit() {
        return limit;
    }

    /** The limit after a period with this load. */
    int adjust(Load load) {
        if (load.saturated()) {
            limit = Math.max(min, limit * 3 / 4);
        } else if (load.backlog()) {
            limit = Math.min(max, limit + 1);
        }
        return limit;
    }
}
