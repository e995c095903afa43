package dev.mailsync.oauth;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

import jakarta.enterprise.context.ApplicationScoped;

import dev.mailsync.common.problem.ProblemCode;
import dev.mailsync.common.problem.ProblemException;
import dev.mailsync.mailbox.MailboxService.NewConnection;
import io.quarkus.logging.Log;
import io.quarkus.narayana.jta.QuarkusTransaction;

/**
 * The OAuth2 authorization-code flow (state + PKCE S256) with Microsoft: the first step of connecting a Microsoft
 * 365 mailbox. Its result is a pending connection that {@link PendingConnections} attaches in the second step.
 */
@ApplicationScoped
public class ConnectService {

    private final PendingAuthorizationRepository pendingAuthorizations;
    private final ProviderSettingsService settings;
    private final EntraTokenClient tokenClient;
    private final PendingConnections connections;
    private final MicrosoftConfig config;

    public ConnectService(PendingAuthorizationRepository pendingAuthorizations, ProviderSettingsService settings,
            EntraTokenClient tokenClient, PendingConnections connections, MicrosoftConfig config) {
        this.pendingAuthorizations = pendingAuthorizations;
        this.settings = settings;
        this.tokenClient = tokenClient;
        this.connections = connections;
        this.config = config;
    }

    /** Starts a flow for the user and answers the URL to send the browser to. */
    public String startConnect(String userId) {
        MicrosoftApp app = settings.microsoftApp();
        if (app.clientId().isEmpty()) {
            throw new ProblemException(ProblemCode.PROVIDER_NOT_CONFIGURED,
                    "An administrator must enter the Entra application's client ID (and secret) in the provider "
                            + "settings before mailboxes can be connected");
        }
        String state = Randoms.token();
        String verifier = Randoms.token();
        String nonce = Randoms.token();
        String redirectUri = settings.redirectUri();
        Instant now = Instant.now();
        QuarkusTransaction.requiringNew().run(() -> {
            pendingAuthorizations.deleteExpired(now);
            PendingAuthorization pending = new PendingAuthorization();
            pending.stateHash = Randoms.sha256(state);
            pending.userId = userId;
            pending.provider = ProviderSettingsService.MICROSOFT;
            pending.codeVerifier(verifier);
            pending.nonce = nonce;
            pending.redirectUri = redirectUri;
            pending.createdAt = now;
            pending.expiresAt = now.plus(config.authorizationTtl());
            pendingAuthorizations.persist(pending);
        });
        Map<String, String> query = new LinkedHashMap<>();
        query.put("client_id", app.clientId().get());
        query.put("response_type", "code");
        query.put("redirect_uri", redirectUri);
        query.put("response_mode", "query");
        query.put("scope", Audience.authorizeScope()); // consent for both; tokens ask one each
        query.put("state", state);
        query.put("nonce", nonce);
        query.put("code_challenge", Randoms.sha256(verifier));
        query.put("code_challenge_method", "S256");
        query.put("prompt", "select_account");
        Log.infof("Connect flow started for user %s (tenant %s)", userId, app.tenant());
        return app.authorizeUrl() + "?" + query.entrySet().stream()
                .map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
    }

    /**
     * Ends the Microsoft part of a flow from the redirect's parameters: consumes the state (once, whatever happens
     * next), redeems the code and keeps the grant as a pending connection of the user who started the flow. Attaches
     * nothing: that user completes it with {@link PendingConnections#complete}.
     *
     * @throws ConnectFailure when Microsoft granted nothing usable; nothing is kept then
     */
    public SignedIn finishSignIn(String state, String code, String error) {
        PendingAuthorization pending = consumeState(state);
        if (error != null) {
            Log.infof("Connect flow of user %s ended at Microsoft: %s", pending.userId, reportable(error));
            throw declined(error);
        }
        if (code == null || code.isBlank()) {
            throw new ConnectFailure("missing_code", "Microsoft's answer had no authorization code.");
        }
        MicrosoftApp app = settings.microsoftApp();
        if (app.clientId().isEmpty()) {
            throw new ConnectFailure("provider_not_configured", "Microsoft 365 is not configured any more.");
        }
        EntraTokenClient.TokenResponse tokens;
        try {
            tokens = tokenClient.redeemCode(app, code, pending.redirectUri, pending.codeVerifier());
        } catch (TokenEndpointException e) {
            Log.warnf("Code redemption for user %s failed: %s", pending.userId, e.getMessage());
            throw new ConnectFailure("token_exchange_failed",
                    "Microsoft did not accept the sign-in ("
                            + e.error().orElse(e.status() == 0 ? "unreachable" : "HTTP " + e.status()) + ").");
        }
        IdTokenClaims claims = verifiedClaims(app, tokens, pending);
        String address = claims.address().orElseThrow(() -> new ConnectFailure("no_address",
                "The Microsoft account has no email address."));
        if (tokens.refreshToken() == null) {
            throw new ConnectFailure("offline_access_missing",
                    "Microsoft granted no refresh token: the offline_access permission is missing.");
        }
        String connection = connections.keep(new NewConnection(pending.userId,
                ProviderSettingsService.MICROSOFT, claims.tenantId().get(), claims.objectId().get(), address,
                claims.name().orElse(null), tokens.accessToken(), tokens.accessTokenExpiresAt(), tokens.refreshToken(),
                tokens.scope()));
        return new SignedIn(connection, address);
    }

    /** Why Microsoft sent the browser back with an error, for the page. */
    static ConnectFailure declined(String error) {
        if ("access_denied".equals(error)) {
            return new ConnectFailure("access_denied", "The permission request was declined at Microsoft.");
        }
        return new ConnectFailure("authorization_failed", "Microsoft did not authorize the connection ("
                + reportable(error) + ").");
    }

    /** The error comes from the browser's query: only a plain OAuth error code reaches the log or the page. */
    static String reportable(String error) {
        return error.matches("[a-z_]{1,50}") ? error : "unknown error";
    }

    /** The id_token's claims, checked: for our app, this sign-in (nonce), and naming the account. */
    private static IdTokenClaims verifiedClaims(MicrosoftApp app, EntraTokenClient.TokenResponse tokens,
            PendingAuthorization pending) {
        IdTokenClaims claims;
        try {
            claims = IdTokenClaims.parse(tokens.idToken());
        } catch (IllegalArgumentException e) {
            Log.warnf("Connect flow of user %s: %s", pending.userId, e.getMessage());
            throw new ConnectFailure("invalid_id_token", "Microsoft's answer did not identify the mailbox.");
        }
        if (!claims.isFor(app.clientId().get()) || !claims.hasNonce(pending.nonce)) {
            Log.warnf("Connect flow of user %s: id_token audience or nonce does not match", pending.userId);
            throw new ConnectFailure("invalid_id_token", "Microsoft's answer did not match this sign-in.");
        }
        if (claims.tenantId().isEmpty() || claims.objectId().isEmpty()) {
            Log.warnf("Connect flow of user %s: id_token without tid or oid", pending.userId);
            throw new ConnectFailure("invalid_id_token", "Microsoft's answer did not identify the account.");
        }
        return claims;
    }

    private PendingAuthorization consumeState(String state) {
        if (state == null || state.isBlank() || state.length() > 200) {
            throw new ConnectFailure("invalid_state", "This sign-in is unknown or was already used: start again.");
        }
        PendingAuthorization pending = QuarkusTransaction.requiringNew()
                .call(() -> pendingAuthorizations.take(Randoms.sha256(state)).orElse(null));
        if (pending == null) {
            throw new ConnectFailure("invalid_state", "This sign-in is unknown or was already used: start again.");
        }
        if (pending.expiresAt.isBefore(Instant.now())) {
            throw new ConnectFailure("expired_state", "This sign-in took too long and expired: start again.");
        }
        return pending;
    }

    /** A finished sign-in: the one-time value that completes it, and the address that signed in (to show). */
    public record SignedIn(String connection, String address) {

        @Override
        public String toString() {
            return "SignedIn[address=" + address + "]";
        }
    }
}
