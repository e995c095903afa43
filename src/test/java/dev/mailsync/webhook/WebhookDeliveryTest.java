package dev.mailsync.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.mailsync.events.EventLog;
import dev.mailsync.events.EventType;
import dev.mailsync.support.MailboxTestBase;
import dev.mailsync.support.Mailboxes;
import dev.mailsync.support.MailsyncTest;
import dev.mailsync.support.TestUsers;

/**
 * Deliveries end to end: events written to the event log (as the producers write them) reach a receiver on
 * 127.0.0.1, signed, retried, given up, and listed; a webhook that keeps failing is disabled.
 */
@MailsyncTest
class WebhookDeliveryTest extends MailboxTestBase {

    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final String SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

    @Inject
    EventLog events;
    @Inject
    ObjectMapper json;

    Receiver receiver;
    String bearer;
    UUID mailboxId;

    @BeforeEach
    void setUp() {
        receiver = new Receiver();
        bearer = TestUsers.bearer("webhooks-" + UUID.randomUUID());
        mailboxId = UUID.fromString(Mailboxes.connect(fake, bearer, Mailboxes.newAccount(mail)));
    }

    @AfterEach
    void tearDown() {
        receiver.close();
    }

    @Test
    void shouldDeliverSubscribedEventsSignedPerStandardWebhooks() throws Exception {
        String id = Webhooks.create(bearer, receiver.url("/in"), List.of("message.*"), SECRET);

        events.messages(mailboxId, EventType.MESSAGE_CREATED, "INBOX", List.of(41L), false); // change feed only
        events.mailbox(mailboxId, EventType.OUTBOX_SENT, "{\"outboxId\": \"o-1\"}"); // not subscribed
        events.messages(mailboxId, EventType.MESSAGE_CREATED, "INBOX", List.of(42L), true);

        await().atMost(WAIT).until(() -> receiver.requests().size() == 1);
        Receiver.Request request = receiver.requests().get(0);
        assertThat(request.path()).isEqualTo("/in");
        assertThat(request.header("content-type")).isEqualTo("application/json");
        assertThat(request.header("webhook-id")).matches("msg_[0-9a-f]{32}");
        long timestamp = Long.parseLong(request.header("webhook-timestamp"));
        assertThat(Math.abs(timestamp - Instant.now().getEpochSecond())).isLessThan(60);
        assertThat(Webhooks.verify(SECRET, request.header("webhook-id"), request.header("webhook-timestamp"),
                request.body(), request.header("webhook-signature"))).isTrue();
        assertThat(Webhooks.verify("whsec_" + "A".repeat(32), request.header("webhook-id"),
                request.header("webhook-timestamp"), request.body(), request.header("webhook-signature"))).isFalse();
        JsonNode body = json.readTree(request.body());
        assertThat(body.path("type").asText()).isEqualTo("message.created");
        assertThat(body.path("data").path("mailboxId").asText()).isEqualTo(mailboxId.toString());
        assertThat(body.path("data").path("messageId").asText()).isEqualTo("42");
        assertThat(body.path("data").path("folder").asText()).isEqualTo("INBOX");
        assertThat(body.path("timestamp").asText()).isNotEmpty();

        await().atMost(WAIT).untilAsserted(() -> Webhooks.get(bearer, "/" + id + "/deliveries").statusCode(200)
                .body("items", hasSize(1)).body("items[0].state", is("delivered"))
                .body("items[0].attempts", is(1)).body("items[0].lastStatus", is(204))
                .body("items[0].eventType", is("message.created"))
                .body("items[0].id", is(request.header("webhook-id").substring(4).replaceFirst(
                        "(\\w{8})(\\w{4})(\\w{4})(\\w{4})(\\w{12})", "$1-$2-$3-$4-$5"))));
        Webhooks.get(bearer, "/" + id).statusCode(200).body("secret", nullValue()).body("state", is("active"));
        Webhooks.get(bearer, "").statusCode(200).body("items", hasSize(1)).body("items[0].secret", nullValue());
    }

    @Test
    void shouldRetryWithTheSameWebhookIdUntilTheReceiverAccepts() throws Exception {
        receiver.answer(500, 503);
        String secret = Webhooks.create(bearer, Map.of("url", receiver.url("/retry"), "events", List.of("*")))
                .statusCode(201).extract().path("secret");
        String id = Webhooks.get(bearer, "").extract().path("items[0].id");

        events.mailbox(mailboxId, EventType.MAILBOX_SYNC, "{\"status\": \"ok\"}");

        await().atMost(WAIT).until(() -> receiver.requests().size() == 3);
        List<Receiver.Request> attempts = receiver.requests();
        assertThat(attempts).extracting(r -> r.header("webhook-id")).containsOnly(attempts.get(0).header("webhook-id"));
        assertThat(attempts).extracting(Receiver.Request::body).containsOnly(attempts.get(0).body());
        for (Receiver.Request r : attempts) {
            assertThat(Webhooks.verify(secret, r.header("webhook-id"), r.header("webhook-timestamp"), r.body(),
                    r.header("webhook-signature"))).isTrue();
        }
        await().atMost(WAIT).untilAsserted(() -> Webhooks.get(bearer, "/" + id + "/deliveries").statusCode(200)
                .body("items[0].state", is("delivered")).body("items[0].attempts", is(3))
                .body("items[0].attemptLog.status", is(List.of(500, 503, 204)))
                .body("items[0].nextAttemptAt", nullValue()));
    }

    @Test
    void shouldRetryAnAttemptThatTimesOut() {
        receiver.delayOnce(3000); // longer than the test's mailsync.webhooks.timeout (2 s)
        String id = Webhooks.create(bearer, receiver.url("/slow"), List.of("outbox.sent"), null);

        events.mailbox(mailboxId, EventType.OUTBOX_SENT, "{\"outboxId\": \"o-2\"}");

        await().atMost(WAIT).untilAsserted(() -> Webhooks.get(bearer, "/" + id + "/deliveries").statusCode(200)
                .body("items[0].state", is("delivered")).body("items[0].attempts", is(2))
                .body("items[0].attemptLog[0].status", nullValue()));
        String error = Webhooks.get(bearer, "/" + id + "/deliveries").extract().path("items[0].attemptLog[0].error");
        assertThat(error).startsWith("timeout");
        assertThat(receiver.requests()).hasSize(2);
    }

    @Test
    void shouldDisableAWebhookWhoseDeliveriesKeepFailing() throws Exception {
        receiver.otherwise(500);
        String id = Webhooks.create(bearer, receiver.url("/down"), List.of("message.deleted"), null);

        events.messages(mailboxId, EventType.MESSAGE_DELETED, "INBOX", List.of(1L, 2L), true);

        // each delivery fails all three attempts of the test schedule; two in a row disable (disable-after=2)
        await().atMost(WAIT).untilAsserted(() -> Webhooks.get(bearer, "/" + id).statusCode(200)
                .body("state", is("disabled")));
        String reason = Webhooks.get(bearer, "/" + id).extract().path("disabledReason");
        assertThat(reason).contains("2 deliveries in a row failed every attempt").contains("HTTP 500");
        Webhooks.get(bearer, "/" + id + "/deliveries").body("items.state", is(List.of("failed", "failed")))
                .body("items[0].attempts", is(3)).body("items[0].response", is("answered 500"));
        int received = receiver.requests().size();
        assertThat(received).isEqualTo(6);

        events.messages(mailboxId, EventType.MESSAGE_DELETED, "INBOX", List.of(3L), true);
        events.mailbox(mailboxId, EventType.MAILBOX_SYNC, (String) null);
        // a later event goes to a webhook that is active (the fan-out has passed it once that one has it)
        String witness = Webhooks.create(bearer, receiver.url("/witness"), List.of("*"), null);
        receiver.otherwise(204);
        events.mailbox(mailboxId, EventType.MAILBOX_SYNC, (String) null);
        await().atMost(WAIT).until(() -> !receiver.requests("/witness").isEmpty());
        assertThat(receiver.requests("/down")).hasSize(received);
        Webhooks.get(bearer, "/" + id + "/deliveries").body("items", hasSize(2));
        assertThat(witness).isNotEqualTo(id);
    }

    @Test
    void shouldDisableAtOnceWhenTheReceiverAnswersGone() {
        receiver.otherwise(410);
        String id = Webhooks.create(bearer, receiver.url("/gone"), List.of("*"), null);

        events.mailbox(mailboxId, EventType.MAILBOX_REAUTH_REQUIRED, (String) null);

        await().atMost(WAIT).untilAsserted(() -> Webhooks.get(bearer, "/" + id).statusCode(200)
                .body("state", is("disabled")).body("disabledReason", is("the receiver answered 410 Gone")));
        assertThat(receiver.requests()).hasSize(1);
    }

    @Test
    void shouldDeliverAgainOnceItsOwnerEnablesADisabledWebhook() {
        receiver.otherwise(410);
        String id = Webhooks.create(bearer, receiver.url("/back"), List.of("mailbox.*"), null);
        events.mailbox(mailboxId, EventType.MAILBOX_SYNC, (String) null);
        await().atMost(WAIT).untilAsserted(() -> Webhooks.get(bearer, "/" + id).body("state", is("disabled")));

        receiver.otherwise(204);
        Webhooks.update(bearer, id, Map.of("state", "active")).statusCode(200).body("state", is("active"))
                .body("disabledReason", nullValue()).body("disabledAt", nullValue());
        events.mailbox(mailboxId, EventType.MAILBOX_REAUTH_REQUIRED, (String) null);

        await().atMost(WAIT).untilAsserted(() -> assertThat(receiver.requests("/back")).hasSize(2));
        Webhooks.get(bearer, "/" + id + "/deliveries").body("items.state", is(List.of("delivered", "failed")));
    }

    @Test
    void shouldNotDeliverToAWebhookItsOwnerDisabled() {
        String paused = Webhooks.create(bearer, receiver.url("/paused"), List.of("*"), null);
        String witness = Webhooks.create(bearer, receiver.url("/witness"), List.of("*"), null);
        Webhooks.update(bearer, paused, Map.of("state", "disabled")).statusCode(200).body("state", is("disabled"))
                .body("disabledReason", startsWith("disabled by webhooks-"));

        events.mailbox(mailboxId, EventType.MAILBOX_SYNC, (String) null);

        await().atMost(WAIT).until(() -> !receiver.requests("/witness").isEmpty());
        assertThat(receiver.requests("/paused")).isEmpty();
        assertThat(witness).isNotEqualTo(paused);
    }

    @Test
    void shouldRefuseAnUpdateOfAnotherUsersWebhookOrWithAnUnknownState() {
        String id = Webhooks.create(bearer, receiver.url("/mine"), List.of("*"), null);

        Webhooks.update(TestUsers.bearer("someone-else-" + UUID.randomUUID()), id, Map.of("state", "active"))
                .statusCode(404).body("code", is("not_found"));
        Webhooks.update(bearer, id, Map.of("state", "paused")).statusCode(400).body("code", is("validation_failed"))
                .body("errors.field", hasItem("state"));
        Webhooks.update(bearer, id, Map.of()).statusCode(400).body("code", is("validation_failed"));
        Webhooks.get(bearer, "/" + id).body("state", is("active"));
    }

    @Test
    void shouldRetryADeliveryWhoseHolderDiedOnceItsLeaseRunsOut() throws Exception {
        String id = Webhooks.create(bearer, receiver.url("/resumed"), List.of("*"), SECRET);
        UUID delivery = UUID.randomUUID();
        String body = "{\"type\":\"message.created\",\"data\":{\"messageId\":\"7\"}}";
        // a replica claimed it, attempted once, and died: its lease ran out a second ago
        sql.execute("""
                insert into webhook_delivery (id, webhook_id, event_type, body, state, attempts, lease_owner,
                    lease_until)
                values (?, ?, 'message.created', ?, 'delivering', 1, 'dead-replica', now() - interval '1 second')""",
                delivery, UUID.fromString(id), body);

        await().atMost(WAIT).until(() -> receiver.requests().size() == 1);
        Receiver.Request request = receiver.requests().get(0);
        assertThat(request.header("webhook-id")).isEqualTo("msg_" + delivery.toString().replace("-", ""));
        assertThat(request.body()).isEqualTo(body);
        assertThat(Webhooks.verify(SECRET, request.header("webhook-id"), request.header("webhook-timestamp"), body,
                request.header("webhook-signature"))).isTrue();
        await().atMost(WAIT).untilAsserted(() -> Webhooks.get(bearer, "/" + id + "/deliveries")
                .body("items[0].state", is("delivered")).body("items[0].attempts", is(2)));
    }

    @Test
    void shouldNotTouchADeliveryWhoseHolderIsStillAlive() throws Exception {
        String id = Webhooks.create(bearer, receiver.url("/held"), List.of("*"), null);
        sql.execute("""
                insert into webhook_delivery (id, webhook_id, event_type, body, state, attempts, lease_owner,
                    lease_until)
                values (?, ?, 'mailbox.sync', '{}', 'delivering', 1, 'live-replica', now() + interval '1 minute')""",
                UUID.randomUUID(), UUID.fromString(id));
        // a later delivery of the same webhook goes through while the held one waits for its lease
        events.mailbox(mailboxId, EventType.MAILBOX_SYNC, (String) null);
        await().atMost(WAIT).until(() -> receiver.requests().size() == 1);
        assertThat(receiver.requests().get(0).body()).contains("mailbox.sync").contains(mailboxId.toString());
        Webhooks.get(bearer, "/" + id + "/deliveries").body("items.state", org.hamcrest.Matchers.hasItem("delivering"));
    }

    @Test
    void shouldPageDeliveriesNewestFirst() {
        String id = Webhooks.create(bearer, receiver.url("/paged"), List.of("message.updated"), null);
        events.messages(mailboxId, EventType.MESSAGE_UPDATED, "INBOX", List.of(1L, 2L, 3L), true);
        await().atMost(WAIT).until(() -> receiver.requests().size() == 3);

        String next = Webhooks.get(bearer, "/" + id + "/deliveries?limit=2").statusCode(200)
                .body("items", hasSize(2)).extract().path("nextCursor");
        Webhooks.get(bearer, "/" + id + "/deliveries?limit=2&cursor=" + next).statusCode(200)
                .body("items", hasSize(1)).body("nextCursor", nullValue());
        Webhooks.get(bearer, "/" + id + "/deliveries?cursor=nonsense").statusCode(400)
                .body("code", is("validation_failed")).body("errors[0].field", is("cursor"));
    }

    @Test
    void shouldOnlyDeliverEventsOfTheCallersOwnMailboxes() {
        String other = TestUsers.bearer("webhooks-other-" + UUID.randomUUID());
        UUID otherMailbox = UUID.fromString(Mailboxes.connect(fake, other, Mailboxes.newAccount(mail)));
        String mine = Webhooks.create(bearer, receiver.url("/mine"), List.of("*"), null);
        String theirs = Webhooks.create(other, receiver.url("/theirs"), List.of("*"), null);

        events.mailbox(otherMailbox, EventType.MAILBOX_SYNC, (String) null);
        events.mailbox(mailboxId, EventType.OUTBOX_FAILED, (String) null);

        await().atMost(WAIT).until(() -> receiver.requests().size() == 2);
        assertThat(receiver.requests("/theirs")).singleElement()
                .satisfies(r -> assertThat(r.body()).contains(otherMailbox.toString()).contains("mailbox.sync"));
        assertThat(receiver.requests("/mine")).singleElement()
                .satisfies(r -> assertThat(r.body()).contains(mailboxId.toString()).contains("outbox.failed"));

        Webhooks.get(bearer, "/" + theirs).statusCode(404).body("code", is("not_found"));
        Webhooks.get(bearer, "/" + theirs + "/deliveries").statusCode(404);
        Webhooks.get(bearer, "").body("items.id", is(List.of(mine)));
        io.restassured.RestAssured.given().header("Authorization", bearer).delete("/api/v1/webhooks/" + theirs)
                .then().statusCode(404);
        io.restassured.RestAssured.given().header("Authorization", other).delete("/api/v1/webhooks/" + theirs)
                .then().statusCode(204);
        Webhooks.get(other, "").body("items", empty());
    }

    @Test
    void shouldDeliverEveryMailboxToAnAdminWideWebhook() {
        Webhooks.create(bearer, Map.of("url", receiver.url("/all"), "events", List.of("*"), "scope", "all"))
                .statusCode(403).body("code", is("forbidden"));
        String admin = TestUsers.admin("webhook-admin-" + UUID.randomUUID());
        String id = Webhooks.create(admin, Map.of("url", receiver.url("/all"), "events", List.of("mailbox.sync"),
                "scope", "all")).statusCode(201).body("scope", is("all")).extract().path("id");
        try {
            events.mailbox(mailboxId, EventType.MAILBOX_SYNC, "{\"status\": \"ok\"}");
            await().atMost(WAIT).until(() -> receiver.requests().stream()
                    .anyMatch(r -> r.body().contains(mailboxId.toString())));
            // another administrator sees and may delete it; a plain user does not see it
            String otherAdmin = TestUsers.admin("webhook-admin-" + UUID.randomUUID());
            Webhooks.get(otherAdmin, "/" + id).statusCode(200).body("scope", is("all"));
            Webhooks.get(bearer, "/" + id).statusCode(404);
        } finally {
            io.restassured.RestAssured.given().header("Authorization", admin).delete("/api/v1/webhooks/" + id)
                    .then().statusCode(204);
        }
    }
}
