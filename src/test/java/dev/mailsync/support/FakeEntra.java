package dev.mailsync.support;

import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.Base64;
import java.util.Deque;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.http.Request;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;

import io.vertx.core.json.JsonObject;

/**
 * A fake Microsoft identity platform v2.0 in WireMock, for tests: the authorize endpoint (no UI: the next
 * user consents at once), the token endpoint with authorization codes (single use, PKCE S256, redirect URI
 * checked), rotating refresh tokens (a rotated one is refused with invalid_grant, like Entra), id_tokens (with
 * tid and a stable oid per account), and injected failures (invalid_grant, 429 with Retry-After, 5xx).
 * <p>
 * As in Entra, an access token serves one resource ({@link #OUTLOOK} or {@link #GRAPH}, its audience): the authorize
 * request asks consent for scopes of several resources, and each token request names the scopes of one (two:
 * 400 invalid_scope AADSTS28000; none: a code redemption gets the first resource the authorize request named, a
 * refresh the previous token's). A scope without consent: 400 invalid_grant AADSTS65001, suberror
 * consent_required. Only Outlook tokens are told to {@link #onAccessToken} (the mail server); {@link #issued} says
 * what any token is for.
 */
public class FakeEntra extends WireMockFake {

    private static final SecureRandom RANDOM = new SecureRandom();
    /** The tenant every account of the fake lives in ({@code tid}). */
    public static final String TENANT_ID = "9188040d-6c67-4c5b-b112-36a304b66dad";
    /** The audience of tokens for IMAP and SMTP. */
    public static final String OUTLOOK = "https://outlook.office.com";
    /** The audience of Microsoft Graph's tokens. */
    public static final String GRAPH = "https://graph.microsoft.com";
    private static final Set<String> OPENID_SCOPES = Set.of("openid", "email", "profile", "offline_access");

    private final Map<String, Grant> codes = new ConcurrentHashMap<>();
    private final Map<String, Session> refreshTokens = new ConcurrentHashMap<>();
    private final Map<String, IssuedToken> accessTokens = new ConcurrentHashMap<>();
    private final Map<String, Account> accounts = new ConcurrentHashMap<>();
    private final Map<String, Boolean> usedRefreshTokens = new ConcurrentHashMap<>();
    private final Deque<Failure> failures = new ArrayDeque<>();
    private final AtomicInteger codesRedeemed = new AtomicInteger();
    private final AtomicInteger refreshes = new AtomicInteger();
    private final AtomicInteger tokenRequests = new AtomicInteger();
    private volatile String nextUser = "adele.vance@contoso.example";
    private volatile String nextName = "Adele Vance";
    private volatile String nextObjectId;
    private volatile String nextAuthorizeError;
    private volatile boolean nextConsentOutlookOnly;
    private volatile boolean accountClaims = true;
    private volatile boolean emailClaim = true;
    private volatile boolean issueRefreshTokens = true;
    private volatile String clientSecret;
    private volatile long expiresIn = 3599;
    private volatile Map<String, String> lastTokenRequest = Map.of();
    private volatile java.util.function.BiConsumer<String, String> accessTokenListener = (user, token) -> {
    };

    /** Told of every access token issued (user, token): the mail server accepts exactly these. */
    public void onAccessToken(java.util.function.BiConsumer<String, String> listener) {
        accessTokenListener = listener;
    }

    /** The authority to configure (without tenant). */
    public String authority() {
        return baseUrl();
    }

    /** Forgets grants, failures and counters; back to the default user and behaviour. */
    public synchronized void reset() {
        codes.clear();
        refreshTokens.clear();
        usedRefreshTokens.clear();
        failures.clear();
        codesRedeemed.set(0);
        refreshes.set(0);
        tokenRequests.set(0);
        nextUser = "adele.vance@contoso.example";
        nextName = "Adele Vance";
        nextObjectId = null;
        nextAuthorizeError = null;
        nextConsentOutlookOnly = false;
        accounts.clear();
        accountClaims = true;
        emailClaim = true;
        issueRefreshTokens = true;
        clientSecret = null;
        expiresIn = 3599;
        lastTokenRequest = Map.of();
        resetRequests();
    }

    /** Who signs in and consents at the next authorize requests; the account's oid is {@link #objectIdOf}. */
    public void nextUser(String address, String name) {
        nextUser(address, name, null);
    }

    /**
     * Who signs in at the next authorize requests, with this account object id ({@code oid}): the same oid with
     * another address is the same account whose email claim changed.
     */
    public void nextUser(String address, String name, String objectId) {
        nextUser = address;
        nextName = name;
        nextObjectId = objectId;
    }

    /** The oid of the account with this address unless a test chose one: stable, like Entra's. */
    public static String objectIdOf(String address) {
        return UUID.nameUUIDFromBytes(address.toLowerCase(Locale.ROOT).getBytes(StandardCharsets.UTF_8)).toString();
    }

    /**
     * The user consents to the Outlook and OpenID scopes only at the next authorize request (as for a mailbox
     * connected before mailsync asked for Graph): Graph token requests of that grant get AADSTS65001.
     */
    public void consentOutlookOnlyNext() {
        nextConsentOutlookOnly = true;
    }

    /** What an access token this fake issued is for: its user, audience and scopes (short names). */
    public Optional<IssuedToken> issued(String accessToken) {
        return Optional.ofNullable(accessToken).map(accessTokens::get);
    }

    /** The account the user last signed in as (the id_token's {@code name} and {@code oid}), if they did. */
    public Optional<Account> account(String user) {
        return Optional.ofNullable(accounts.get(user.toLowerCase(Locale.ROOT)));
    }

    /** Leave {@code tid} and {@code oid} out of id_tokens (no Entra id_token lacks them: a broken answer). */
    public void accountClaims(boolean present) {
        accountClaims = present;
    }

    /** The next authorize request redirects back with this error (e.g. {@code access_denied}). */
    public void failNextAuthorize(String error) {
        nextAuthorizeError = error;
    }

    /** Leave the {@code email} claim out of id_tokens (Entra does for accounts without a mail attribute). */
    public void emailClaim(boolean present) {
        emailClaim = present;
    }

    public void issueRefreshTokens(boolean issue) {
        issueRefreshTokens = issue;
    }

    /** Require this client secret (form or Basic) at the token endpoint. */
    public void requireClientSecret(String secret) {
        clientSecret = secret;
    }

    /** Lifetime of the access tokens issued from now on. */
    public void accessTokenLifetime(long seconds) {
        expiresIn = seconds;
    }

    /** The next {@code count} token requests fail with this status and OAuth error (null: Entra's default). */
    public synchronized void failNextTokenRequests(int count, int status, String error, Integer retryAfterSeconds) {
        for (int i = 0; i < count; i++) {
            failures.add(new Failure(status, error, retryAfterSeconds));
        }
    }

    /** Revokes every grant (password changed, consent withdrawn): their refresh tokens get invalid_grant. */
    public void revokeAll() {
        refreshTokens.keySet().forEach(token -> usedRefreshTokens.put(token, true));
        refreshTokens.clear();
    }

    public int codesRedeemed() {
        return codesRedeemed.get();
    }

    /** Refresh-token grants answered with tokens. */
    public int refreshes() {
        return refreshes.get();
    }

    /** Requests to the token endpoint, refused ones included. */
    public int tokenRequests() {
        return tokenRequests.get();
    }

    /** Form parameters of the last token request (to check what the client sent). */
    public Map<String, String> lastTokenRequest() {
        return lastTokenRequest;
    }

    /** Whether this refresh token is the current one of a live grant. */
    public boolean isLiveRefreshToken(String token) {
        return refreshTokens.containsKey(token);
    }

    @Override
    public String getName() {
        return "fake-entra";
    }

    @Override
    public ResponseDefinition transform(ServeEvent event) {
        Request request = event.getRequest();
        String path = URI.create(request.getUrl()).getPath();
        if (path.matches("/[^/]+/oauth2/v2\\.0/authorize") && "GET".equals(request.getMethod().getName())) {
            return authorize(query(URI.create(request.getUrl()).getRawQuery()));
        }
        if (path.matches("/[^/]+/oauth2/v2\\.0/token") && "POST".equals(request.getMethod().getName())) {
            Map<String, String> form = query(request.getBodyAsString());
            lastTokenRequest = form;
            tokenRequests.incrementAndGet();
            return token(form, request.getHeader("Authorization"));
        }
        return json(404, new JsonObject().put("error", "not_found"));
    }

    private ResponseDefinition authorize(Map<String, String> q) {
        String redirectUri = q.get("redirect_uri");
        if (q.get("client_id") == null || redirectUri == null || !"code".equals(q.get("response_type"))) {
            return json(400, errorBody("invalid_request", "AADSTS900144: The request body must contain client_id, "
                    + "redirect_uri and response_type=code."));
        }
        String state = q.getOrDefault("state", "");
        String error = nextAuthorizeError;
        nextAuthorizeError = null;
        if (error != null) {
            return redirect(redirectUri + "?error=" + error + "&error_description="
                    + encode("AADSTS65004: User declined to consent to access the app.") + "&state=" + encode(state));
        }
        String user = q.getOrDefault("login_hint", nextUser);
        String code = "code." + random();
        String oid = nextObjectId != null ? nextObjectId : objectIdOf(user);
        String consent = q.getOrDefault("scope", "");
        if (nextConsentOutlookOnly) {
            nextConsentOutlookOnly = false;
            consent = Arrays.stream(consent.split(" ")).filter(w -> !GRAPH.equals(resourceOf(w)))
                    .reduce((a, b) -> a + " " + b).orElse("");
        }
        accounts.put(user.toLowerCase(Locale.ROOT), new Account(nextName, oid));
        codes.put(code, new Grant(q.get("client_id"), redirectUri, q.get("code_challenge"),
                q.get("code_challenge_method"), q.get("nonce"), user, oid, nextName, consent));
        return redirect(redirectUri + "?code=" + encode(code) + "&state=" + encode(state) + "&session_state=s1");
    }

    private synchronized ResponseDefinition token(Map<String, String> form, String authorization) {
        Failure failure = failures.poll();
        if (failure != null) {
            return failure.response();
        }
        if (clientSecret != null && !clientSecret.equals(form.get("client_secret"))
                && !basicSecretMatches(authorization)) {
            return json(401, errorBody("invalid_client", "AADSTS7000215: Invalid client secret provided."));
        }
        return switch (form.getOrDefault("grant_type", "")) {
            case "authorization_code" -> redeem(form);
            case "refresh_token" -> refresh(form);
            default -> json(400, errorBody("unsupported_grant_type", "AADSTS70003: unsupported grant type"));
        };
    }

    private ResponseDefinition redeem(Map<String, String> form) {
        Grant grant = codes.remove(form.getOrDefault("code", ""));
        if (grant == null) {
            return json(400, errorBody("invalid_grant", "AADSTS54005: OAuth2 Authorization code was already redeemed, "
                    + "please retry with a new valid code or use an existing refresh token."));
        }
        if (!grant.clientId().equals(form.get("client_id"))) {
            return json(400, errorBody("invalid_grant", "AADSTS700005: Provided Authorization Code is intended to use "
                    + "against other application."));
        }
        if (!grant.redirectUri().equals(form.get("redirect_uri"))) {
            return json(400, errorBody("invalid_grant", "AADSTS500112: The reply address does not match the reply "
                    + "address provided when requesting Authorization code."));
        }
        if (grant.challenge() != null && !("S256".equals(grant.challengeMethod())
                && grant.challenge().equals(s256(form.getOrDefault("code_verifier", ""))))) {
            return json(400, errorBody("invalid_grant", "AADSTS501481: The Code_Verifier does not match the "
                    + "code_challenge supplied in the authorization request."));
        }
        codesRedeemed.incrementAndGet();
        return tokens(grant, form.get("scope"), null, true);
    }

    private ResponseDefinition refresh(Map<String, String> form) {
        String token = form.getOrDefault("refresh_token", "");
        Session session = refreshTokens.get(token);
        if (session == null) {
            String why = usedRefreshTokens.containsKey(token)
                    ? "AADSTS70008: The provided authorization code or refresh token has expired due to inactivity."
                    : "AADSTS9002313: Invalid request. Request is malformed or invalid.";
            return json(400, errorBody("invalid_grant", why));
        }
        ResponseDefinition answer = tokens(session.grant(), form.get("scope"), session.audience(), false);
        if (answer.getStatus() == 200) { // a refused request leaves the refresh token as it was
            refreshTokens.remove(token);
            usedRefreshTokens.put(token, true);
            refreshes.incrementAndGet();
        }
        return answer;
    }

    /**
     * Tokens for one resource: the one the requested scope names, else the previous token's, else the first one
     * the consent names.
     */
    private ResponseDefinition tokens(Grant grant, String requested, String previousAudience, boolean withIdToken) {
        Map<String, Set<String>> asked = byResource(requested);
        if (asked.size() > 1) {
            return json(400, errorBody("invalid_scope", "AADSTS28000: Provided value for the input parameter scope "
                    + "is not valid because it contains more than one resource. Scope " + requested
                    + " is not valid."));
        }
        Map<String, Set<String>> consent = byResource(grant.scope());
        String audience = !asked.isEmpty() ? asked.keySet().iterator().next()
                : previousAudience != null ? previousAudience
                : consent.keySet().stream().findFirst().orElse(OUTLOOK);
        Set<String> consented = consent.getOrDefault(audience, Set.of());
        Set<String> scopes = asked.getOrDefault(audience, consented);
        if (consented.isEmpty() || !lowerCase(consented).containsAll(lowerCase(scopes))) {
            return json(400, errorBody("invalid_grant", "AADSTS65001: The user or administrator has not consented "
                    + "to use the application with ID '" + grant.clientId() + "' named 'mailsync'. Send an "
                    + "interactive authorization request for this user and resource.")
                    .put("suberror", "consent_required"));
        }
        String accessToken = "at." + random();
        accessTokens.put(accessToken, new IssuedToken(grant.user(), audience, Set.copyOf(scopes)));
        if (OUTLOOK.equals(audience)) {
            accessTokenListener.accept(grant.user(), accessToken);
        }
        JsonObject body = new JsonObject().put("token_type", "Bearer")
                .put("scope", scopes.stream().map(p -> audience + "/" + p).reduce((a, b) -> a + " " + b).orElse(""))
                .put("expires_in", expiresIn).put("ext_expires_in", expiresIn)
                .put("access_token", accessToken);
        if (issueRefreshTokens && grant.scope().contains("offline_access")) {
            String refreshToken = "rt." + random();
            refreshTokens.put(refreshToken, new Session(grant, audience));
            body.put("refresh_token", refreshToken);
        }
        if (withIdToken && grant.scope().contains("openid")) {
            body.put("id_token", idToken(grant));
        }
        return json(200, body);
    }

    private String idToken(Grant grant) {
        long now = System.currentTimeMillis() / 1000;
        JsonObject claims = new JsonObject().put("aud", grant.clientId())
                .put("iss", authority() + "/" + TENANT_ID + "/v2.0").put("iat", now)
                .put("nbf", now).put("exp", now + 3600).put("name", grant.name())
                .put("preferred_username", grant.user()).put("sub", random()).put("ver", "2.0");
        if (accountClaims) {
            claims.put("tid", TENANT_ID).put("oid", grant.oid());
        }
        if (grant.nonce() != null) {
            claims.put("nonce", grant.nonce());
        }
        if (emailClaim) {
            claims.put("email", grant.user());
        }
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        return b64.encodeToString("{\"alg\":\"RS256\",\"typ\":\"JWT\",\"kid\":\"fake\"}".getBytes(StandardCharsets.UTF_8))
                + "." + b64.encodeToString(claims.encode().getBytes(StandardCharsets.UTF_8)) + ".c2lnbmF0dXJl";
    }

    private boolean basicSecretMatches(String authorization) {
        if (authorization == null || !authorization.startsWith("Basic ")) {
            return false;
        }
        String decoded = new String(Base64.getDecoder().decode(authorization.substring(6)), StandardCharsets.UTF_8);
        return decoded.endsWith(":" + clientSecret);
    }

    private static ResponseDefinition redirect(String location) {
        return new ResponseDefinitionBuilder().withStatus(302).withHeader("Location", location).build();
    }

    private static ResponseDefinition json(int status, JsonObject body) {
        return new ResponseDefinitionBuilder().withStatus(status).withHeader("Content-Type", "application/json")
                .withBody(body.encode()).build();
    }

    private static JsonObject errorBody(String error, String description) {
        return new JsonObject().put("error", error).put("error_description", description + "\r\nTrace ID: "
                + random() + "\r\nCorrelation ID: " + random()).put("error_codes", new io.vertx.core.json.JsonArray());
    }

    public static Map<String, String> query(String raw) {
        Map<String, String> params = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) {
            return params;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            params.put(key, eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return params;
    }

    public static String s256(String verifier) {
        try {
            return Base64.getUrlEncoder().withoutPadding().encodeToString(
                    MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    private static String random() {
        byte[] bytes = new byte[24];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** The resource a scope word belongs to ({@code null} for an OpenID one); bare names are Graph's, as in Entra. */
    static String resourceOf(String word) {
        if (word.isEmpty() || OPENID_SCOPES.contains(word.toLowerCase(Locale.ROOT))) {
            return null;
        }
        int slash = word.startsWith("https://") ? word.indexOf('/', "https://".length()) : -1;
        if (slash < 0) {
            return GRAPH;
        }
        String resource = word.substring(0, slash).toLowerCase(Locale.ROOT);
        return resource.equals("https://outlook.office365.com") ? OUTLOOK : resource;
    }

    /** The resource scopes of a {@code scope} value by resource (in the order first named), as short names. */
    static Map<String, Set<String>> byResource(String scope) {
        Map<String, Set<String>> out = new LinkedHashMap<>();
        for (String word : (scope == null ? "" : scope).split(" ")) {
            String resource = resourceOf(word);
            if (resource != null) {
                String permission = word.startsWith("https://")
                        ? word.substring(word.indexOf('/', "https://".length()) + 1) : word;
                out.computeIfAbsent(resource, r -> new LinkedHashSet<>()).add(permission);
            }
        }
        return out;
    }

    private static Set<String> lowerCase(Set<String> words) {
        Set<String> out = new LinkedHashSet<>();
        words.forEach(w -> out.add(w.toLowerCase(Locale.ROOT)));
        return out;
    }

    /** An access token as issued: whose, for which resource ({@code aud}) and with which scopes (short names). */
    public record IssuedToken(String user, String audience, Set<String> scopes) {
    }

    /** A signed-in account: its display name and object id. */
    public record Account(String name, String objectId) {
    }

    /** A live refresh token: its grant and the resource of the token issued with it. */
    private record Session(Grant grant, String audience) {
    }

    private record Grant(String clientId, String redirectUri, String challenge, String challengeMethod, String nonce,
            String user, String oid, String name, String scope) {
    }

    private record Failure(int status, String error, Integer retryAfterSeconds) {
        ResponseDefinition response() {
            String code = error != null ? error
                    : status == 400 ? "invalid_grant"
                    : status == 429 || status == 503 ? "temporarily_unavailable" : "server_error";
            String description = switch (code) {
                case "invalid_grant" -> "AADSTS70008: The refresh token has expired due to inactivity.";
                case "temporarily_unavailable" -> "AADSTS50196: The server terminated an operation because it "
                        + "encountered a client request loop.";
                default -> "AADSTS90033: A transient error has occurred. Please try again.";
            };
            ResponseDefinitionBuilder builder = new ResponseDefinitionBuilder().withStatus(status)
                    .withHeader("Content-Type", "application/json").withBody(errorBody(code, description).encode());
            if (retryAfterSeconds != null) {
                builder.withHeader("Retry-After", String.valueOf(retryAfterSeconds));
            }
            return builder.build();
        }
    }
}
