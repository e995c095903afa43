package dev.mailsync.support;

import static io.restassured.RestAssured.given;

import java.net.URI;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.restassured.response.Response;

/**
 * Drives the connect flow the way a browser and a frontend would: start, authorize at the fake, come back to the
 * callback (which hands out a one-time connection value), complete with the user's bearer token.
 */
public final class ConnectFlows {

    public static final String CLIENT_ID = "11111111-2222-3333-4444-555555555555";
    public static final String CLIENT_SECRET = "entra-client-secret-value-for-tests";
    private static final Pattern IN_PAGE = Pattern.compile("\"connection\":\"([A-Za-z0-9_-]+)\"");
    private static final Pattern IN_REDIRECT = Pattern.compile("[?&]connection=([A-Za-z0-9_-]+)");

    private ConnectFlows() {
    }

    /** Saves the Entra app (as an administrator) and makes the fake require its secret. */
    public static void configureProvider(FakeEntra fake) {
        fake.requireClientSecret(CLIENT_SECRET);
        given().header("Authorization", TestUsers.admin("root"))
                .contentType("application/json")
                .body(Map.of("tenant", "contoso.example", "clientId", CLIENT_ID, "clientSecret", CLIENT_SECRET))
                .put("/api/v1/admin/providers/microsoft")
                .then().statusCode(200);
    }

    /** POST connect: the authorization URL for this user. */
    public static URI start(String bearer) {
        return URI.create(given().header("Authorization", bearer)
                .post("/api/v1/mailboxes/connect/microsoft")
                .then().statusCode(200)
                .extract().path("authorizationUrl"));
    }

    /** The browser at Microsoft: answers the callback URL Microsoft redirects to. */
    public static URI authorize(URI authorizationUrl) {
        String location = given().urlEncodingEnabled(false).redirects().follow(false).get(authorizationUrl)
                .then().statusCode(302)
                .extract().header("Location");
        return URI.create(location);
    }

    /** The browser back at mailsync: the callback response (redirects not followed). */
    public static Response callback(URI callbackUrl) {
        return given().urlEncodingEnabled(false).redirects().follow(false).get(callbackUrl.getRawPath() + "?" + callbackUrl.getRawQuery());
    }

    /** The first step only (start, authorize, callback): the callback response, which attaches nothing. */
    public static Response signIn(String bearer) {
        return callback(authorize(start(bearer)));
    }

    /**
     * The connection value a successful callback handed out: from the redirect to the frontend ({@code
     * ?connection=}) or from the page's postMessage.
     */
    public static String connection(Response callback) {
        String location = callback.header("Location");
        Matcher m = location != null ? IN_REDIRECT.matcher(location) : IN_PAGE.matcher(callback.asString());
        if (!m.find()) {
            throw new AssertionError("the callback handed out no connection: HTTP " + callback.statusCode() + " "
                    + (location != null ? location : callback.asString()));
        }
        return m.group(1);
    }

    /** The second step: POST complete with this user's bearer token. */
    public static Response complete(String bearer, String connection) {
        return given().header("Authorization", bearer).contentType("application/json")
                .body(Map.of("connection", connection))
                .post("/api/v1/mailboxes/connect/microsoft/complete");
    }

    /** A whole connect flow for the user, both steps; answers the complete response (201 with the mailbox). */
    public static Response connect(String bearer) {
        return complete(bearer, connection(signIn(bearer)));
    }

    /** A whole connect flow that must succeed; answers the mailbox id. */
    public static String connectMailbox(String bearer) {
        return connect(bearer).then().statusCode(201).extract().path("id");
    }

    public static Map<String, String> query(URI uri) {
        return FakeEntra.query(uri.getRawQuery());
    }
}
