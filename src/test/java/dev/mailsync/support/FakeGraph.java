package dev.mailsync.support;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.http.Request;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;

import io.vertx.core.json.JsonObject;

/**
 * A fake Microsoft Graph v1.0 in WireMock, for tests. Every call needs {@code Authorization: Bearer} with an access
 * token {@link FakeEntra} issued for Graph (another resource's, or an unknown one: 401 {@code
 * InvalidAuthenticationToken}) carrying the endpoint's scope (else 403 {@code ErrorAccessDenied}); errors are
 * Graph's JSON, {@code {"error": {"code", "message"}}}. Endpoints: {@code GET /v1.0/me} (the signed-in user's
 * {@link Profile}; a test sets another with {@link #profile}), and the mail endpoints of {@link FakeGraphMail}
 * ({@link #serveMail}). Injected failures and a delay make Graph fail or slow.
 * <p>
 * Each endpoint is one method that {@link #dispatch} picks by method and path, given the checked {@link Caller}.
 */
public class FakeGraph extends WireMockFake {

    private final FakeEntra entra;
    private final Map<String, Profile> profiles = new ConcurrentHashMap<>();
    private final Deque<Failure> failures = new ArrayDeque<>();
    private final AtomicInteger requests = new AtomicInteger();
    private volatile Duration delay = Duration.ZERO;
    private volatile FakeGraphMail mail;
    private final Map<String, Set<String>> sendAs = new ConcurrentHashMap<>();

    public FakeGraph(FakeEntra entra) {
        this.entra = entra;
    }

    /** The base URL to configure ({@code mailsync.microsoft.graph-url}, without {@code /v1.0}). */
    public String url() {
        return baseUrl();
    }

    /** Serves Graph's mail endpoints of {@code /v1.0/me/...} and the upload URLs with this (sending through Graph). */
    public void serveMail(FakeGraphMail mail) {
        this.mail = mail;
    }

    /** The mail endpoints: what was sent, injected errors (see {@link FakeGraphMail}). */
    public FakeGraphMail mail() {
        return mail;
    }

    /** Forgets profiles, failures, the delay and counters (the mail endpoints' too). */
    public synchronized void reset() {
        if (mail != null) {
            mail.reset();
        }
        profiles.clear();
        sendAs.clear();
        failures.clear();
        requests.set(0);
        delay = Duration.ZERO;
        resetRequests();
    }

    /** What {@code GET /me} answers for this user from now on. */
    public void profile(String user, Profile profile) {
        profiles.put(user.toLowerCase(Locale.ROOT), profile);
    }

    /** The next {@code count} requests fail with this status (Graph's code for it), before any check. */
    public synchronized void failNextRequests(int count, int status) {
        for (int i = 0; i < count; i++) {
            failures.add(new Failure(status));
        }
    }

    /** Every answer from now on comes this late (a Graph that hangs). */
    public void delay(Duration delay) {
        this.delay = delay;
    }

    /** How many requests reached the fake since the last reset. */
    public int requests() {
        return requests.get();
    }

    @Override
    public String getName() {
        return "fake-graph";
    }

    @Override
    public ResponseDefinition transform(ServeEvent event) {
        requests.incrementAndGet();
        ResponseDefinition answer = answer(event.getRequest());
        long millis = delay.toMillis();
        return millis == 0 ? answer : ResponseDefinitionBuilder.like(answer).withFixedDelay((int) millis).build();
    }

    private ResponseDefinition answer(Request request) {
        Failure failure;
        synchronized (this) {
            failure = failures.poll();
        }
        if (failure != null) {
            return failure.response();
        }
        if (mail != null && mail.isUpload(request)) {
            return mail.upload(request); // an upload URL carries its own authorization
        }
        String auth = request.getHeader("Authorization");
        String bearer = auth != null && auth.startsWith("Bearer ") ? auth.substring(7) : null;
        FakeEntra.IssuedToken token = bearer == null ? null : entra.issued(bearer).orElse(null);
        if (token == null) {
            return error(401, "InvalidAuthenticationToken", bearer == null ? "Access token is empty."
                    : "IDX14100: JWT is not well formed, there are no dots (.).");
        }
        if (!FakeEntra.GRAPH.equals(token.audience())) {
            return error(401, "InvalidAuthenticationToken", "Access token validation failure. Invalid audience.");
        }
        return dispatch(new Caller(token), request.getMethod().getName(), URI.create(request.getUrl()).getPath(),
                request);
    }

    /** One endpoint per method and path. */
    private ResponseDefinition dispatch(Caller caller, String method, String path, Request request) {
        if ("GET".equals(method) && "/v1.0/me".equals(path)) {
            return me(caller);
        }
        if (mail != null && path.startsWith("/v1.0/me/")) {
            ResponseDefinition answer = mail.handle(request, caller.token().user(), caller.token().scopes(),
                    path.substring("/v1.0/me/".length()));
            if (answer != null) {
                return answer;
            }
        }
        if (mail != null && path.startsWith("/v1.0/users/") && path.indexOf('/', "/v1.0/users/".length()) > 0) {
            ResponseDefinition answer = another(caller, path, request);
            if (answer != null) {
                return answer;
            }
        }
        return error(404, "ResourceNotFound", "Resource not found for the segment '" + path + "'.");
    }

    /**
     * {@code /v1.0/users/{address}/...}: another mailbox's mail endpoints, for a caller with a Send As grant to it
     * ({@link #grantSendAs}) and {@code Mail.Send.Shared}; otherwise 403 {@code ErrorSendAsDenied}, as Exchange answers.
     */
    private ResponseDefinition another(Caller caller, String path, Request request) {
        int slash = path.indexOf('/', "/v1.0/users/".length());
        String address = path.substring("/v1.0/users/".length(), slash).toLowerCase(Locale.ROOT);
        String rest = path.substring(slash + 1);
        String user = caller.token().user().toLowerCase(Locale.ROOT);
        if (!address.equals(user) && (!sendAs.getOrDefault(user, Set.of()).contains(address)
                || !caller.has("Mail.Send.Shared"))) {
            return error(403, "ErrorSendAsDenied", "The user account which was used to submit this request does not "
                    + "have the right to send mail on behalf of the specified sending account.");
        }
        return mail.handle(request, address, caller.token().scopes(), rest);
    }

    /** Grants {@code delegate} Send As for {@code shared}: Graph's {@code /users/{shared}/...} then serves it. */
    public void grantSendAs(String delegate, String shared) {
        sendAs.computeIfAbsent(delegate.toLowerCase(Locale.ROOT), d -> ConcurrentHashMap.newKeySet())
                .add(shared.toLowerCase(Locale.ROOT));
    }

    /** {@code GET /v1.0/me}: needs {@code User.Read}. */
    private ResponseDefinition me(Caller caller) {
        if (!caller.has("User.Read")) {
            return accessDenied();
        }
        String user = caller.token().user();
        Profile p = profiles.get(user.toLowerCase(Locale.ROOT));
        if (p == null) {
            FakeEntra.Account account = entra.account(user)
                    .orElse(new FakeEntra.Account(null, FakeEntra.objectIdOf(user)));
            p = new Profile(account.objectId(), account.name(), user, user);
        }
        return json(200, new JsonObject()
                .put("@odata.context", "https://graph.microsoft.com/v1.0/$metadata#users/$entity")
                .put("id", p.id()).put("displayName", p.displayName()).put("mail", p.mail())
                .put("userPrincipalName", p.userPrincipalName()));
    }

    /** 403 as Graph answers a token without the endpoint's scope. */
    private static ResponseDefinition accessDenied() {
        return error(403, "ErrorAccessDenied", "Access is denied. Check credentials and try again.");
    }

    /** Graph's error answer: {@code {"error": {"code", "message"}}}. */
    private static ResponseDefinition error(int status, String code, String message) {
        return json(status, new JsonObject().put("error", new JsonObject().put("code", code).put("message", message)
                .put("innerError", new JsonObject().put("request-id", java.util.UUID.randomUUID().toString()))));
    }

    private static ResponseDefinition json(int status, JsonObject body) {
        return new ResponseDefinitionBuilder().withStatus(status).withHeader("Content-Type", "application/json")
                .withBody(body.encode()).build();
    }

    /** The checked bearer of a request. */
    public record Caller(FakeEntra.IssuedToken token) {

        /** Whether the token carries this scope (short name, any case, as Graph compares them). */
        public boolean has(String scope) {
            return token.scopes().stream().anyMatch(scope::equalsIgnoreCase);
        }
    }

    /**
     * A user's profile as {@code /me} gives it (any field may be null, as Graph's are); by default the account's
     * object id and name at {@link FakeEntra}, and its address as {@code mail} and {@code userPrincipalName}.
     */
    public record Profile(String id, String displayName, String mail, String userPrincipalName) {
    }

    private record Failure(int status) {
        ResponseDefinition response() {
            return switch (status) {
                case 429 -> ResponseDefinitionBuilder.like(error(429, "TooManyRequests",
                        "Application is over its MailboxConcurrency limit.")).withHeader("Retry-After", "1").build();
                case 503 -> error(503, "ServiceNotAvailable", "Service Unavailable");
                default -> error(status, "UnknownError", "An error occurred.");
            };
        }
    }
}
