package dev.mailsync.outbox;

import java.time.Duration;

/** Whether an interrupted attempt delivered the item cannot be told now (the Sent folder could not be read). */
final class ReconcileFailed extends RuntimeException {

    private final Duration retryAfter;

    ReconcileFailed(String message, Duration retryAfter) {
        super(message, null, false, false);
        this.retryAfter = retryAfter;
    }

    Duration retryAfter() {
        return retryAfter;
    }
}
