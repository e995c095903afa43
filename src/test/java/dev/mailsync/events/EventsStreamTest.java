package dev.mailsync.events;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.LongStream;

import jakarta.inject.Inject;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.mailsync.events.SseClient.Received;
import dev.mailsync.support.MailboxTestBase;
import dev.mailsync.support.Mailboxes;
import dev.mailsync.support.MailsyncTest;
import dev.mailsync.support.TestUsers;

/** {@code GET /api/v1/events}: what a stream carries, resuming it, and its refusals. */
@MailsyncTest
class EventsStreamTest extends MailboxTestBase {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @Inject
    EventLog events;
    @Inject
    EventStreams streams;
    @Inject
    ObjectMapper json;

    String bearer;
    UUID mailboxId;

    @BeforeEach
    void connectMailbox() {
        bearer = TestUsers.bearer("sse-" + UUID.randomUUID());
        mailboxId = connect(bearer);
    }

    @Test
    void shouldStreamOnlyTheCallersAnnouncedEventsWrittenAfterItConnected() throws Exception {
        events.messages(mailboxId, EventType.MESSAGE_CREATED, "INBOX", List.of(1L), true); // before: not sent
        UUID othersMailbox = connect(TestUsers.bearer("sse-other-" + UUID.randomUUID()));
        try (SseClient client = SseClient.open(bearer)) {
            assertThat(client.status()).isEqualTo(200);
            assertThat(client.header("Content-Type")).startsWith("text/event-stream");
            assertThat(client.next(WAIT).comment()).isEqualTo("mailsync events");
            Awaitility.await().atMost(WAIT).until(() -> "3000".equals(client.retry()));

            events.messages(mailboxId, EventType.MESSAGE_CREATED, "INBOX", List.of(11L, 12L), true);
            events.messages(mailboxId, EventType.MESSAGE_CREATED, "INBOX", List.of(13L), false);
            events.messages(othersMailbox, EventType.MESSAGE_CREATED, "INBOX", List.of(14L), true);
            events.messages(mailboxId, EventType.MESSAGE_DELETED, "Archive", List.of(15L), true);
            events.mailbox(mailboxId, EventType.OUTBOX_SENT, "{\"outboxId\": \"o-1\"}");

            List<Received> got = client.events(4, WAIT);
            assertThat(got).extracting(Received::type).containsExactly("message.created", "message.created",
                    "message.deleted", "outbox.sent");
            assertThat(got).extracting(r -> field(r, "messageId")).containsExactly("11", "12", "15", null);
            assertThat(got).extracting(r -> field(r, "mailboxId")).containsOnly(mailboxId.toString());
            assertThat(field(got.get(2), "folder")).isEqualTo("Archive");
            assertThat(field(got.get(3), "outboxId")).isEqualTo("o-1");
            assertThat(json.readTree(got.get(0).data()).get("type").asText()).isEqualTo("message.created");
            assertThat(json.readTree(got.get(0).data()).get("timestamp").asText()).isNotBlank();
            List<Position> ids = got.stream().map(r -> Position.parse(r.id())).toList();
            assertThat(ids).isSorted().doesNotHaveDuplicates();
        }
    }

    @Test
    void shouldResumeAfterLastEventIdWithExactlyTheMissedEvents() throws Exception {
        String lastSeen;
        try (SseClient client = SseClient.open(bearer)) {
            client.next(WAIT);
            events.messages(mailboxId, EventType.MESSAGE_CREATED, "INBOX", List.of(1L, 2L), true);
            lastSeen = client.events(2, WAIT).get(1).id();
        }
        // missed while disconnected: more than a backlog page, and one not announced
        List<Long> missed = LongStream.rangeClosed(100, 349).boxed().toList();
        events.messages(mailboxId, EventType.MESSAGE_UPDATED, "INBOX", missed, true);
        events.messages(mailboxId, EventType.MESSAGE_CREATED, "INBOX", List.of(999L), false);

        try (SseClient resumed = SseClient.open(bearer, "Last-Event-ID", lastSeen);
                SseClient bySince = SseClient.openPath("/api/v1/events?since=" + lastSeen, bearer)) {
            events.messages(mailboxId, EventType.MESSAGE_DELETED, "INBOX", List.of(400L), true);

            List<String> expected = new ArrayList<>(missed.stream().map(String::valueOf).toList());
            expected.add("400");
            for (SseClient client : List.of(resumed, bySince)) {
                List<Received> got = client.events(expected.size(), WAIT);
                assertThat(got).extracting(r -> field(r, "messageId")).containsExactlyElementsOf(expected);
                assertThat(got.stream().map(r -> Position.parse(r.id())).toList()).isSorted()
                        .doesNotHaveDuplicates();
                assertThat(client.eventsWithin(Duration.ofMillis(300))).isEmpty();
            }
        }
    }

    @Test
    void shouldRefuseAPositionItCannotResumeFrom() throws Exception {
        Position latest = events.latest();
        given().header("Authorization", bearer).header("Last-Event-ID", "yesterday").get("/api/v1/events").then()
                .statusCode(400).body("code", equalTo("validation_failed"))
                .body("errors[0].field", equalTo("Last-Event-ID"));
        given().header("Authorization", bearer).get("/api/v1/events?since=").then().statusCode(400)
                .body("errors[0].field", equalTo("since"));
        given().header("Authorization", bearer).get("/api/v1/events?since=" + new Position(latest.tx() + 1000, 1))
                .then().statusCode(410).body("code", equalTo("cannot_calculate_changes"));

        events.messages(mailboxId, EventType.MESSAGE_CREATED, "INBOX", List.of(1L, 2L), true);
        List<Event> written = events.afterInMailbox(mailboxId, latest, 2);
        Position horizon = events.horizon();
        sql.execute("update event_horizon set tx = ?::text::xid8, id = ?", String.valueOf(written.get(0)
                .position().tx()), written.get(0).position().id());
        try {
            given().header("Authorization", bearer).header("Last-Event-ID", latest.toString()).get("/api/v1/events")
                    .then().statusCode(410).contentType("application/problem+json")
                    .body("code", equalTo("cannot_calculate_changes"));
            try (SseClient atHorizon = SseClient.open(bearer, "Last-Event-ID", written.get(0).position().toString())) {
                assertThat(atHorizon.status()).isEqualTo(200);
                assertThat(atHorizon.events(1, WAIT).get(0).id()).isEqualTo(written.get(1).position().toString());
            }
        } finally {
            sql.execute("update event_horizon set tx = ?::text::xid8, id = ?", String.valueOf(horizon.tx()),
                    horizon.id());
        }
    }

    @Test
    void shouldSendHeartbeats() throws Exception {
        try (SseClient client = SseClient.open(bearer)) {
            Awaitility.await().atMost(WAIT).until(() -> {
                Received next = client.next(Duration.ofSeconds(2));
                return next != null && "heartbeat".equals(next.comment());
            });
        }
    }

    @Test
    void shouldRefuseCallersWithoutAToken() {
        given().get("/api/v1/events").then().statusCode(401).body("code", equalTo("unauthenticated"));
    }

    @Test
    void shouldLimitTheStreamsOfOneUserAndFreeThemWhenClosed() throws Exception {
        List<SseClient> open = new ArrayList<>();
        try {
            for (int i = 0; i < 5; i++) {
                open.add(SseClient.open(bearer));
                assertThat(open.get(i).status()).isEqualTo(200);
            }
            given().header("Authorization", bearer).get("/api/v1/events").then().statusCode(429)
                    .body("code", equalTo("too_many_streams"));
            try (SseClient otherUser = SseClient.open(TestUsers.bearer("sse-" + UUID.randomUUID()))) {
                assertThat(otherUser.status()).isEqualTo(200);
            }
            open.remove(0).close();
            Awaitility.await().atMost(WAIT).untilAsserted(() -> {
                try (SseClient again = SseClient.open(bearer)) {
                    assertThat(again.status()).isEqualTo(200);
                }
            });
        } finally {
            open.forEach(SseClient::close);
        }
        Awaitility.await().atMost(WAIT).until(() -> streams.count() == 0);
    }

    private UUID connect(String user) {
        return UUID.fromString(Mailboxes.connect(fake, user, Mailboxes.newAccount(mail)));
    }

    private String field(Received event, String name) {
        try {
            JsonNode value = json.readTree(event.data()).get("data").get(name);
            return value == null ? null : value.asText();
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }
}
