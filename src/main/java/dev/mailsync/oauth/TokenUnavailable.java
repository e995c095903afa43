package dev.mailsync.oauth;

import java.time.Duration;
import java.util.Optional;

/** No access token right now (token endpoint throttling, failing or unreachable): try again later. */
public class TokenUnavailable extends RuntimeException {

    private final Duration retryAfter;

    public TokenUnavailable(String message, Duration retryAfter) {
        super(message, null, false, false);
        this.retryAfter = retryAfter;
    }

    /** How long the identity platform asked us to wait, if it did. */
    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }
}
