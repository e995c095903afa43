package dev.mailsync.webhook;

import static io.restassured.RestAssured.given;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;

/** Webhook calls of the tests, and a signature check written apart from the service's signing code. */
final class Webhooks {

    private Webhooks() {
    }

    static ValidatableResponse create(String bearer, Map<String, Object> body) {
        return given().header("Authorization", bearer).contentType(ContentType.JSON).body(body)
                .post("/api/v1/webhooks").then();
    }

    /** Creates a webhook for {@code events}; answers its id. */
    static String create(String bearer, String url, List<String> events, String secret) {
        Map<String, Object> body = secret == null ? Map.of("url", url, "events", events)
                : Map.of("url", url, "events", events, "secret", secret);
        return create(bearer, body).statusCode(201).extract().path("id");
    }

    static ValidatableResponse update(String bearer, String id, Map<String, Object> body) {
        return given().header("Authorization", bearer).contentType(ContentType.JSON).body(body)
                .patch("/api/v1/webhooks/" + id).then();
    }

    static ValidatableResponse get(String bearer, String path) {
        return given().header("Authorization", bearer).get("/api/v1/webhooks" + path).then();
    }

    /**
     * Whether {@code signatureHeader} (space-separated {@code v1,<base64>} entries) holds the HMAC-SHA256 of
     * {@code id.timestamp.body} under the secret's decoded bytes, compared in constant time.
     */
    static boolean verify(String secret, String id, String timestamp, String body, String signatureHeader)
            throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(Base64.getDecoder().decode(secret.replaceFirst("^whsec_", "")), "HmacSHA256"));
        byte[] expected = mac.doFinal((id + "." + timestamp + "." + body).getBytes(StandardCharsets.UTF_8));
        for (String entry : signatureHeader.split(" ")) {
            String[] parts = entry.split(",", 2);
            if (parts.length == 2 && parts[0].equals("v1")
                    && MessageDigest.isEqual(Base64.getDecoder().decode(parts[1]), expected)) {
                return true;
            }
        }
        return false;
    }
}
