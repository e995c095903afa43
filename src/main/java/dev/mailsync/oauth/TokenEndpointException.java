package dev.mailsync.oauth;

import java.time.Duration;
import java.util.Optional;

/**
 * The token endpoint refused a request or could not be reached. Carries only what is safe to log and show:
 * the HTTP status, the OAuth {@code error} code and Retry-After; never the request or the tokens.
 */
public class TokenEndpointException extends RuntimeException {

    private final int status;
    private final String error;
    private final Duration retryAfter;
    private final String suberror;

    public TokenEndpointException(int status, String error, String description, Duration retryAfter) {
        this(status, error, null, description, retryAfter);
    }

    public TokenEndpointException(int status, String error, String suberror, String description,
            Duration retryAfter) {
        super("token endpoint answered " + (status == 0 ? "nothing" : status) + (error == null ? "" : " " + error)
                + (description == null ? "" : ": " + description), null, false, false);
        this.status = status;
        this.error = error;
        this.retryAfter = retryAfter;
        this.suberror = suberror;
    }

    /** HTTP status, or 0 when the endpoint could not be reached. */
    public int status() {
        return status;
    }

    /** The OAuth error code ({@code invalid_grant}, ...), when the endpoint gave one. */
    public Optional<String> error() {
        return Optional.ofNullable(error);
    }

    /** How long the endpoint asked us to wait (429, 503). */
    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }

    /** The grant is dead (revoked, expired, password changed, reused): only a new sign-in helps. */
    public boolean isInvalidGrant() {
        return "invalid_grant".equals(error);
    }

    /**
     * The user (or an administrator) has not consented to a scope asked for: Entra's {@code invalid_grant} with
     * {@code suberror} {@code consent_required} (AADSTS65001). The grant itself still serves what was consented.
     */
    public boolean isConsentRequired() {
        return isInvalidGrant() && ("consent_required".equals(suberror) || getMessage().contains("AADSTS65001"));
    }
}
