package dev.mailsync.oauth;

import java.util.List;

import jakarta.inject.Singleton;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;

/** Token refreshes by outcome ({@code mailsync_token_refreshes_total}), each at zero from start-up. */
@Startup
@Singleton
public class TokenMetrics {

    /**
     * {@code success}; {@code invalid_grant}: Microsoft refused the refresh token (the mailbox needs its user);
     * {@code failed}: the endpoint failed or throttled; {@code undecryptable}: the stored token cannot be decrypted;
     * {@code consent_missing}: the grant lacks Microsoft Graph (the mailbox keeps IMAP and SMTP).
     */
    static final List<String> OUTCOMES = List.of("success", "invalid_grant", "failed", "undecryptable",
            "consent_missing");

    private final MeterRegistry registry;

    public TokenMetrics(MeterRegistry registry) {
        this.registry = registry;
        OUTCOMES.forEach(this::counter);
    }

    void refresh(String outcome) {
        counter(outcome).increment();
    }

    private Counter counter(String outcome) {
        return Counter.builder("mailsync.token.refreshes").description("Access token refreshes by outcome")
                .tag("outcome", outcome).register(registry);
    }
}
