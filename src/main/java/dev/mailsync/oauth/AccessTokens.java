package dev.mailsync.oauth;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;

import dev.mailsync.common.ReplicaId;
import dev.mailsync.common.crypto.SecretUnreadable;
import dev.mailsync.events.EventLog;
import dev.mailsync.events.EventType;
import dev.mailsync.mailbox.Mailbox;
import dev.mailsync.mailbox.MailboxRepository;
import dev.mailsync.mailbox.MailboxState;
import io.quarkus.logging.Log;
import io.quarkus.narayana.jta.QuarkusTransaction;

/**
 * Hands out valid access tokens for a mailbox, one per resource ({@link Audience}): Outlook's for IMAP and SMTP,
 * Microsoft Graph's for sending through Graph and the profile. A stored token is reused while it has more than
 * {@code mailsync.microsoft.token-refresh-skew} left; otherwise one replica (holding a short lease on the mailbox
 * row, the same lease for both resources, since both come from the one rotating refresh token) refreshes it and
 * saves the new access token, its expiry and the rotated refresh token in one transaction. No transaction stays
 * open during the request to the token endpoint.
 */
@ApplicationScoped
public class AccessTokens {

    private static final Duration WAIT_STEP = Duration.ofMillis(200);
    /** After Microsoft said the grant lacks Graph, it is not asked again for this long (unless reconnected). */
    static final Duration CONSENT_RECHECK = Duration.ofHours(1);

    private final MailboxRepository mailboxes;
    private final EntraTokenClient tokenClient;
    private final ProviderSettingsService settings;
    private final MicrosoftConfig config;
    private final TokenMetrics metrics;
    private final EventLog events;
    private final String owner = ReplicaId.get();

    public AccessTokens(MailboxRepository mailboxes, EntraTokenClient tokenClient, ProviderSettingsService settings,
            MicrosoftConfig config, TokenMetrics metrics, EventLog events) {
        this.mailboxes = mailboxes;
        this.tokenClient = tokenClient;
        this.settings = settings;
        this.config = config;
        this.metrics = metrics;
        this.events = events;
    }

    /**
     * A valid Outlook access token for the mailbox (IMAP and SMTP).
     *
     * @throws ReauthorizationRequired the mailbox needs its user to reconnect (it is now {@code REAUTH_REQUIRED})
     * @throws TokenUnavailable no token right now; try later
     */
    public String accessToken(UUID mailboxId) {
        return token(mailboxId, Audience.OUTLOOK);
    }

    /**
     * A valid Microsoft Graph access token for the mailbox.
     *
     * @throws GraphConsentMissing the mailbox's grant lacks Graph's permissions (it stays {@code ACTIVE}: IMAP and
     *         SMTP work; reconnecting grants them)
     * @throws ReauthorizationRequired the mailbox needs its user to reconnect (it is now {@code REAUTH_REQUIRED})
     * @throws TokenUnavailable no token right now; try later
     */
    public String graphToken(UUID mailboxId) {
        return token(mailboxId, Audience.GRAPH);
    }

    private String token(UUID mailboxId, Audience audience) {
        long deadline = System.nanoTime() + config.tokenTimeout().multipliedBy(2).toNanos();
        while (true) {
            Mailbox mailbox = QuarkusTransaction.requiringNew().call(() -> mailboxes.findById(mailboxId));
            if (mailbox == null || mailbox.state != MailboxState.ACTIVE) {
                throw new ReauthorizationRequired(mailboxId, mailbox == null ? "mailbox disconnected"
                        : mailbox.stateReason);
            }
            if (mailbox.isShared()) { // a caller's mistake: MailboxLogins logs in with the token of its via
                throw new IllegalStateException("mailbox " + mailboxId + " is shared: it has no tokens of its own");
            }
            requireConsent(mailbox, audience);
            if (isFresh(mailbox, audience)) {
                return stored(mailbox, audience);
            }
            if (claimRefresh(mailboxId)) {
                try {
                    return refresh(mailboxId, audience);
                } finally {
                    releaseRefresh(mailboxId);
                }
            }
            if (System.nanoTime() > deadline) {
                throw new TokenUnavailable("another replica is still refreshing this mailbox's token", WAIT_STEP);
            }
            sleep();
        }
    }

    /** Graph, when Microsoft said lately that the grant lacks it: refused without asking again. */
    private static void requireConsent(Mailbox mailbox, Audience audience) {
        if (audience == Audience.GRAPH && mailbox.graphConsentMissingAt != null
                && mailbox.graphConsentMissingAt.isAfter(Instant.now().minus(CONSENT_RECHECK))) {
            throw new GraphConsentMissing(mailbox.id);
        }
    }

    /** The stored access token for the resource. */
    private String stored(Mailbox mailbox, Audience audience) {
        return readable(mailbox, audience == Audience.OUTLOOK ? mailbox::accessToken : mailbox::graphToken);
    }

    /**
     * A token decrypted. One that was not written for this mailbox (copied from another row or column, or
     * damaged) is unusable for good: the mailbox needs its user to reconnect, as after a refused refresh token.
     */
    private String readable(Mailbox mailbox, Supplier<String> token) {
        try {
            return token.get();
        } catch (SecretUnreadable e) {
            metrics.refresh("undecryptable");
            String reason = "The stored tokens of this mailbox cannot be decrypted (" + e.getMessage()
                    + "): the user must reconnect the mailbox";
            throw reauthorizationRequired(mailbox.id, reason);
        }
    }

    private boolean isFresh(Mailbox mailbox, Audience audience) {
        boolean stored = audience == Audience.OUTLOOK ? mailbox.hasAccessToken() : mailbox.hasGraphToken();
        Instant expiresAt = audience == Audience.OUTLOOK ? mailbox.accessTokenExpiresAt : mailbox.graphTokenExpiresAt;
        return stored && expiresAt != null && expiresAt.isAfter(Instant.now().plus(config.tokenRefreshSkew()));
    }

    private String refresh(UUID mailboxId, Audience audience) {
        // read again under the lease: whoever held it before may have just refreshed
        Mailbox mailbox = QuarkusTransaction.requiringNew().call(() -> mailboxes.findById(mailboxId));
        if (mailbox == null) {
            throw new ReauthorizationRequired(mailboxId, "mailbox disconnected");
        }
        requireConsent(mailbox, audience);
        if (isFresh(mailbox, audience)) {
            return stored(mailbox, audience);
        }
        String refreshToken = readable(mailbox, mailbox::refreshToken);
        if (refreshToken == null) {
            String reason = "No refresh token is stored for this mailbox: the user must reconnect the mailbox";
            throw reauthorizationRequired(mailboxId, reason);
        }
        MicrosoftApp app = settings.microsoftApp();
        if (app.clientId().isEmpty()) {
            throw new TokenUnavailable("Microsoft 365 is not configured", null);
        }
        EntraTokenClient.TokenResponse tokens;
        try {
            tokens = tokenClient.refresh(app, refreshToken, audience);
        } catch (TokenEndpointException e) {
            if (audience == Audience.GRAPH && e.isConsentRequired()) {
                // the grant is fine for Outlook: only Graph was never consented
                metrics.refresh("consent_missing");
                saveConsentMissing(mailboxId, null);
                throw new GraphConsentMissing(mailboxId);
            }
            metrics.refresh(e.isInvalidGrant() ? "invalid_grant" : "failed");
            if (e.isInvalidGrant()) {
                String reason = "Microsoft refused the refresh token (" + e.getMessage()
                        + "): the user must reconnect the mailbox";
                throw reauthorizationRequired(mailboxId, reason);
            }
            Log.warnf("Token refresh for mailbox %s failed: %s", mailboxId, e.getMessage());
            throw new TokenUnavailable("token refresh failed: " + e.getMessage(), e.retryAfter().orElse(null));
        }
        if (audience == Audience.GRAPH && !audience.granted(tokens.scope())) {
            metrics.refresh("consent_missing");
            saveConsentMissing(mailboxId, tokens.refreshToken());
            throw new GraphConsentMissing(mailboxId);
        }
        metrics.refresh("success");
        save(mailboxId, audience, tokens);
        Log.debugf("Refreshed the %s access token of mailbox %s, valid until %s", audience, mailboxId,
                tokens.accessTokenExpiresAt());
        return tokens.accessToken();
    }

    /** Stores the new access token, its expiry and the rotated refresh token (if Microsoft sent one). */
    private void save(UUID mailboxId, Audience audience, EntraTokenClient.TokenResponse tokens) {
        QuarkusTransaction.requiringNew().run(() -> {
            Mailbox m = mailboxes.findById(mailboxId);
            if (m == null) {
                return;
            }
            if (audience == Audience.OUTLOOK) {
                m.accessToken(tokens.accessToken());
                m.accessTokenExpiresAt = tokens.accessTokenExpiresAt();
                if (tokens.scope() != null) {
                    m.scopes = tokens.scope();
                }
            } else {
                m.graphToken(tokens.accessToken());
                m.graphTokenExpiresAt = tokens.accessTokenExpiresAt();
                m.graphConsentMissingAt = null;
            }
            if (tokens.refreshToken() != null) {
                m.refreshToken(tokens.refreshToken());
            }
            m.updatedAt = Instant.now();
        });
    }

    /**
     * Remembers that the grant lacks Graph (the mailbox stays {@code ACTIVE}), with the rotated refresh token when a
     * refresh answered one whose scopes fall short.
     */
    private void saveConsentMissing(UUID mailboxId, String rotatedRefreshToken) {
        QuarkusTransaction.requiringNew().run(() -> {
            Mailbox m = mailboxes.findById(mailboxId);
            if (m == null) {
                return;
            }
            m.graphConsentMissingAt = Instant.now();
            if (rotatedRefreshToken != null) {
                m.refreshToken(rotatedRefreshToken);
            }
            m.updatedAt = Instant.now();
        });
        Log.infof("Mailbox %s has no consent for Microsoft Graph: not asked again for %s unless it is reconnected",
                mailboxId, CONSENT_RECHECK);
    }

    /**
     * Puts the mailbox in {@code REAUTH_REQUIRED} (it stops syncing until the user reconnects), and the shared
     * mailboxes reached with its grant too; the first time, each with a {@code mailbox.reauth_required} event (the
     * row is locked: two replicas finding it out announce it once). Reconnecting the mailbox makes them all active.
     */
    public void markReauthRequired(UUID mailboxId, String reason) {
        QuarkusTransaction.requiringNew().run(() -> {
            Mailbox m = mailboxes.findById(mailboxId, LockModeType.PESSIMISTIC_WRITE);
            if (m != null) {
                markReauthRequired(m, reason);
                for (Mailbox shared : mailboxes.listVia(mailboxId)) {
                    markReauthRequired(shared, "The mailbox " + m.address + " whose grant reaches this shared mailbox "
                            + "must be reconnected" + (reason == null ? "" : ": " + reason));
                }
            }
        });
        Log.warnf("Mailbox %s needs to be reconnected: %s", mailboxId, reason);
    }

    /** Marks the mailbox (see {@link #markReauthRequired(UUID, String)}); answers the exception that says so. */
    private ReauthorizationRequired reauthorizationRequired(UUID mailboxId, String reason) {
        markReauthRequired(mailboxId, reason);
        return new ReauthorizationRequired(mailboxId, reason);
    }

    private void markReauthRequired(Mailbox m, String reason) {
        if (m.state != MailboxState.REAUTH_REQUIRED) {
            events.mailbox(m.id, EventType.MAILBOX_REAUTH_REQUIRED, reason == null ? Map.of()
                    : Map.of("reason", reason));
        }
        m.state = MailboxState.REAUTH_REQUIRED;
        m.stateReason = reason;
        m.updatedAt = Instant.now();
    }

    private boolean claimRefresh(UUID mailboxId) {
        Instant now = Instant.now();
        return QuarkusTransaction.requiringNew().call(() -> mailboxes.claimTokenRefresh(mailboxId, owner, now,
                now.plus(config.tokenTimeout()).plusSeconds(10)));
    }

    private void releaseRefresh(UUID mailboxId) {
        QuarkusTransaction.requiringNew().run(() -> mailboxes.releaseTokenRefresh(mailboxId, owner));
    }

    private static void sleep() {
        try {
            Thread.sleep(WAIT_STEP.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TokenUnavailable("interrupted while waiting for a token refresh", null);
        }
    }
}
