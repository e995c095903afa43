package dev.mailsync.outbox;

import java.time.Duration;

import dev.mailsync.graph.GraphFailure;
import dev.mailsync.oauth.ReauthorizationRequired;
import dev.mailsync.oauth.TokenUnavailable;

/**
 * Why an attempt failed, as the outbox records it: a code, a message safe to show, whether retrying cannot help,
 * whether the server may have taken the mail ({@code reconcile}: the Sent folder is checked first), how long the
 * server asked to wait (may be null), and whether the attempt never reached the server ({@code deferred}: a
 * Retry-After still running; it does not count against {@code max-attempts}).
 */
record Failure(String code, String message, boolean permanent, boolean reconcile, Duration retryAfter,
        boolean deferred) {

    Failure(String code, String message, boolean permanent, boolean reconcile, Duration retryAfter) {
        this(code, message, permanent, reconcile, retryAfter, false);
    }


    /** What the exception an attempt ended with means. */
    static Failure of(RuntimeException e) {
        if (e instanceof SmtpFailure f) {
            return new Failure(f.code(), f.getMessage(), f.permanent(), f.ambiguous(), null);
        }
        if (e instanceof GraphFailure f) {
            return new Failure(f.code(), f.getMessage(), f.permanent(), f.ambiguous(), f.retryAfter().orElse(null),
                    f.deferred());
        }
        if (e instanceof ReauthorizationRequired) {
            return new Failure("mailbox_reauth_required", "The mailbox must be reconnected before it can send: "
                    + e.getMessage(), true, false, null);
        }
        if (e instanceof TokenUnavailable t) {
            return new Failure("token_unavailable", "No access token right now: " + e.getMessage(), false, false,
                    t.retryAfter().orElse(null));
        }
        if (e instanceof ReconcileFailed r) {
            return new Failure("reconcile_failed", e.getMessage(), false, true, r.retryAfter());
        }
        return new Failure("internal_error", "Unexpected failure: " + e.getMessage(), false, false, null);
    }
}
