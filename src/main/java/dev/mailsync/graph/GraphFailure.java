package dev.mailsync.graph;

import java.time.Duration;
import java.util.Optional;

/**
 * Why a Graph request failed: a stable {@code code} (one of the outbox's failure codes), a message safe to show
 * (Graph's error code and text, never a token), whether retrying cannot help ({@link #permanent}), whether Graph
 * may nevertheless have taken the mail ({@link #ambiguous}: Sent Items is checked before any retry), and how long
 * Graph asked us to wait ({@link #retryAfter}). Made by {@link GraphErrors}.
 */
public class GraphFailure extends RuntimeException {

    private final String code;
    private final boolean permanent;
    private final boolean ambiguous;
    private final Duration retryAfter;
    private final boolean deferred;

    GraphFailure(String code, String message, boolean permanent, boolean ambiguous, Duration retryAfter) {
        this(code, message, permanent, ambiguous, retryAfter, false);
    }

    GraphFailure(String code, String message, boolean permanent, boolean ambiguous, Duration retryAfter,
            boolean deferred) {
        super(message, null, false, false);
        this.code = code;
        this.permanent = permanent;
        this.ambiguous = ambiguous;
        this.retryAfter = retryAfter;
        this.deferred = deferred;
    }

    public String code() {
        return code;
    }

    public boolean permanent() {
        return permanent;
    }

    public boolean ambiguous() {
        return ambiguous;
    }

    /** No request was made: the mailbox's gate was closed (a Retry-After running, or 4 requests in flight). */
    public boolean deferred() {
        return deferred;
    }

    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }
}
