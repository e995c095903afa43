package dev.mailsync.push;

import java.time.Duration;
import java.util.function.DoubleSupplier;

/**
 * The delay before reconnecting after {@code failures} failed connections in a row: doubling from {@code min} up to
 * {@code max}, and then a random point in its upper half ("equal jitter"), so that the watches of a server that
 * restarted do not all come back in the same second, yet none retries sooner than half its step.
 */
record Backoff(Duration min, Duration max) {

    Duration delay(int failures, DoubleSupplier random) {
        long minMs = Math.max(min.toMillis(), 1);
        long maxMs = Math.max(max.toMillis(), minMs);
        int doublings = Math.min(Math.max(failures - 1, 0), 30);
        long step = Math.min(maxMs, minMs << doublings);
        long half = step / 2;
        return Duration.ofMillis(half + (long) (random.getAsDouble() * (step - half)));
    }
}
