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
    private final Map<Key, OidcClient> clients = new ConcurrentHashMap<>();
    private final AtomicInteger created = new AtomicInteger();

    public EntraTokenClient(OidcClients oidcClients, MicrosoftConfig config) {
        this.oidcClients = oidcClients;
        this.config = config;
    }

    /** Redeems an authorization code (with its PKCE verifier) for tokens. */
    public TokenResponse redeemCode(MicrosoftApp app, String code, String redirectUri, String codeVerifier) {
        return call(app, client(app, OidcClientConfig.Grant.Type.CODE)
                .getTokens(Map.of("code", code, "redirect_uri", redirectUri, "code_verifier", codeVerifier)));
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

    private OidcClient client(MicrosoftApp app, OidcClientConfig.Grant.Type grant) {
        Key key = new Key(app, grant);
        OidcClient client = clients.get(key);
        if (client != null) {
            return client;
        }
        synchronized (clients) {
            // the app changed (settings page): the old app's clients go
            clients.entrySet().removeIf(e -> {
                boolean stale = !e.getKey().app().equals(app);
                if (stale) {
                    close(e.getValue());
                }
                return stale;
            });
            return clients.computeIfAbsent(key, k -> newClient(app, grant));
        }
    }

    private OidcClient newClient(MicrosoftApp app, OidcClientConfig.Grant.Type grant) {
        OidcClientConfigBuilder builder = new OidcClientConfigBuilder()
                .id("entra-" + grant.name().toLowerCase() + "-" + created.incrementAndGet())
                .authServerUrl(app.authority() + "/" + app.tenant())
                .discoveryEnabled(false)
                .tokenPath("/oauth2/v2.0/token")
                .clientId(app.clientId().orElseThrow())
                .connectionTimeout(config.tokenTimeout())
                .connectionRetryCount(1)
                .grant(grant);
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

    private record Key(MicrosoftApp app, OidcClientConfig.Grant.Type grant) {
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
