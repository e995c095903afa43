package dev.mailsync.oauth;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.oidc.client.OidcClient;
import io.quarkus.oidc.client.OidcClientConfigBuilder;
import io.quarkus.oidc.client.OidcClients;
import io.quarkus.oidc.client.Tokens;
import io.quarkus.oidc.client.runtime.OidcClientConfig;
import io.quarkus.oidc.common.runtime.config.OidcClientCommonConfig.Credentials.Secret.Method;
import io.smallrye.mutiny.Uni;

/**
 * Talks to the Microsoft identity platform's token endpoint through quarkus-oidc-client. The Entra app can
 * change at run time (the settings page), so a client is built per app and kept until the app changes.
 */
@ApplicationScoped
public class EntraTokenClient {

    private final OidcClients oidcClients;
    private final MicrosoftConfig config;
    private final Map<MicrosoftApp, OidcClient> clients = new ConcurrentHashMap<>();
    private final AtomicInteger created = new AtomicInteger();

    public EntraTokenClient(OidcClients oidcClients, MicrosoftConfig config) {
        this.oidcClients = oidcClients;
        this.config = config;
    }

    /** Redeems an authorization code (with its PKCE verifier) for tokens; the access token is Outlook's. */
    public TokenResponse redeemCode(MicrosoftApp app, String code, String redirectUri, String codeVerifier) {
        return call(app, client(app).getTokens(Map.of("code", code, "redirect_uri", redirectUri,
                "code_verifier", codeVerifier, "scope", Audience.OUTLOOK.tokenScope())));
    }

    /**
     * Redeems a refresh token for an access token of one resource (a request naming two is refused); Microsoft
     * answers a new (rotated) refresh token with it.
     */
    public TokenResponse refresh(MicrosoftApp app, String refreshToken, Audience audience) {
        return call(app, client(app).refreshTokens(refreshToken, Map.of("scope", audience.tokenScope())));
    }

    private TokenResponse call(MicrosoftApp app, Uni<Tokens> request) {
        try {
            Tokens tokens = request.await().atMost(config.tokenTimeout());
            Long expiresAt = tokens.getAccessTokenExpiresAt();
            return new TokenResponse(tokens.getAccessToken(),
                    expiresAt == null ? Instant.now().plusSeconds(3600) : Instant.ofEpochSecond(expiresAt),
                    tokens.getRefreshToken(), tokens.get("id_token"), tokens.get("scope"));
        } catch (TokenEndpointException e) {
            throw e;
        } catch (RuntimeException e) {
            // timeouts and connection failures; their messages carry no secrets, only the type is kept
            throw new TokenEndpointException(0, null, app.tokenUrl() + " unreachable (" + e.getClass().getSimpleName()
                    + ")", null);
        }
    }

    /** One client per app (it serves the code and the refresh grant); a replaced app's client is closed. */
    private OidcClient client(MicrosoftApp app) {
        OidcClient client = clients.get(app);
        if (client != null) {
            return client;
        }
        synchronized (clients) {
            clients.entrySet().removeIf(e -> {
                boolean stale = !e.getKey().equals(app);
                if (stale) {
                    close(e.getValue());
                }
                return stale;
            });
            return clients.computeIfAbsent(app, this::newClient);
        }
    }

    private OidcClient newClient(MicrosoftApp app) {
        OidcClientConfigBuilder builder = new OidcClientConfigBuilder()
                .id("entra-" + created.incrementAndGet())
                .authServerUrl(app.authority() + "/" + app.tenant())
                .discoveryEnabled(false)
                .tokenPath("/oauth2/v2.0/token")
                .clientId(app.clientId().orElseThrow())
                .connectionTimeout(config.tokenTimeout())
                .connectionRetryCount(1)
                .grant(OidcClientConfig.Grant.Type.CODE);
        Optional<String> secret = app.clientSecret();
        if (secret.isPresent()) {
            builder.credentials().clientSecret(secret.get(), Method.POST).end();
        }
        return oidcClients.newClient(builder.build()).await().atMost(config.tokenTimeout());
    }

    private static void close(OidcClient client) {
        try {
            client.close();
        } catch (Exception e) {
            // closing releases a connection pool; nothing to recover
        }
    }

    @PreDestroy
    void closeAll() {
        clients.values().forEach(EntraTokenClient::close);
        clients.clear();
    }

    /** Tokens from the endpoint. {@code toString()} leaves them out. */
    public record TokenResponse(String accessToken, Instant accessTokenExpiresAt, String refreshToken,
            String idToken, String scope) {

        @Override
        public String toString() {
            return "TokenResponse[expiresAt=" + accessTokenExpiresAt + ", scope=" + scope + "]";
        }
    }
}
