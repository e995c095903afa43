package dev.mailsync.support;

import static io.restassured.RestAssured.given;

import java.net.URI;
import java.util.Map;

import io.restassured.response.Response;

/** Drives the connect flow the way a browser would: start, authorize at the fake, come back to the callback. */
public final class ConnectFlows {

    public static final String CLIENT_ID = "11111111-2222-3333-4444-555555555555";
    public static final String CLIENT_SECRET = "entra-client-secret-value-for-tests";

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

    /** A whole connect flow for the user; answers the callback response. */
    public static Response connect(String bearer) {
        return callback(authorize(start(bearer)));
    }

    public static Map<String, String> query(URI uri) {
        return FakeEntra.query(uri.getRawQuery());
    }
}
