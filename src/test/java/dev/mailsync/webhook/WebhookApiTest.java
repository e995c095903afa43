package dev.mailsync.webhook;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.startsWith;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import dev.mailsync.support.MailboxTestBase;
import dev.mailsync.support.MailsyncTest;
import dev.mailsync.support.TestUsers;

/** Creating, reading and deleting webhooks: validation, the secret shown once, the limit per user. */
@MailsyncTest
class WebhookApiTest extends MailboxTestBase {

    private static final String URL = "http://127.0.0.1:9/hook";

    @Test
    void shouldAnswerTheGeneratedSecretOnlyAtCreation() {
        String bearer = TestUsers.bearer("webhook-api-" + UUID.randomUUID());
        String id = Webhooks.create(bearer, Map.of("url", URL, "events", List.of("message.created", "outbox.*")))
                .statusCode(201).header("Location", org.hamcrest.Matchers.endsWith("/api/v1/webhooks/"
                        + Webhooks.get(bearer, "").extract().path("items[0].id")))
                .body("secret", matchesPattern("whsec_[A-Za-z0-9+/]{43}=")).body("state", is("active"))
                .body("scope", is("user")).body("events", is(List.of("message.created", "outbox.*")))
                .extract().path("id");
        Webhooks.get(bearer, "/" + id).statusCode(200).body("url", is(URL)).body("$", org.hamcrest.Matchers
                .not(org.hamcrest.Matchers.hasKey("secret")));
        given().header("Authorization", bearer).delete("/api/v1/webhooks/" + id).then().statusCode(204);
        Webhooks.get(bearer, "/" + id).statusCode(404).body("code", is("not_found"));
    }

    @Test
    void shouldRefuseInvalidRequestsNamingTheField() {
        String bearer = TestUsers.bearer("webhook-api-" + UUID.randomUUID());
        Webhooks.create(bearer, Map.of("url", "ftp://example.com/", "events", List.of("*"))).statusCode(400)
                .body("code", is("validation_failed")).body("errors.field", hasItem("url"));
        Webhooks.create(bearer, Map.of("url", "http://user:pw@127.0.0.1/", "events", List.of("*")))
                .statusCode(400).body("errors.field", hasItem("url"));
        Webhooks.create(bearer, Map.of("url", URL, "events", List.of("message.exploded"))).statusCode(400)
                .body("errors.field", hasItem("events"))
                .body("errors.message", hasItem(startsWith("unknown event type message.exploded")));
        Webhooks.create(bearer, Map.of("url", URL, "events", List.of())).statusCode(400)
                .body("code", is("validation_failed"));
        Webhooks.create(bearer, Map.of("url", URL, "events", List.of("*"), "secret", "whsec_c2hvcnQ="))
                .statusCode(400).body("errors.field", hasItem("secret"));
        Webhooks.create(bearer, Map.of("url", URL, "events", List.of("*"), "secret", "plain")).statusCode(400)
                .body("errors.field", hasItem("secret"));
        Webhooks.create(bearer, Map.of("url", URL, "events", List.of("*"), "scope", "everyone")).statusCode(400)
                .body("errors.field", hasItem("scope"));
        Webhooks.create(bearer, Map.of("url", "https://example.com/" + "a".repeat(2100), "events", List.of("*")))
                .statusCode(400).body("errors.field", hasItem("url"));
        Webhooks.get(bearer, "/not-a-uuid").statusCode(400);
        given().get("/api/v1/webhooks").then().statusCode(401).body("code", is("unauthenticated"));
    }

    @Test
    void shouldRefuseAWebhookBeyondTheLimitPerUser() {
        String bearer = TestUsers.bearer("webhook-api-" + UUID.randomUUID());
        for (int i = 0; i < 10; i++) { // mailsync.webhooks.max-per-user
            Webhooks.create(bearer, Map.of("url", URL + i, "events", List.of("*"))).statusCode(201);
        }
        Webhooks.create(bearer, Map.of("url", URL, "events", List.of("*"))).statusCode(409)
                .body("code", is("webhook_limit_reached"));
        // another user is not affected
        Webhooks.create(TestUsers.bearer("webhook-api-" + UUID.randomUUID()),
                Map.of("url", URL, "events", List.of("*"))).statusCode(201);
    }

    @Test
    void shouldRefuseAHostThatDoesNotResolve() {
        String bearer = TestUsers.bearer("webhook-api-" + UUID.randomUUID());
        Webhooks.create(bearer, Map.of("url", "https://no-such-host.invalid/hook", "events", List.of("*")))
                .statusCode(400).body("code", is("webhook_url_refused"))
                .body("detail", is("The URL's host no-such-host.invalid does not resolve"));
    }
}
