package dev.mailsync.outbox;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

import dev.mailsync.support.ConnectedMailboxTestBase;
import io.restassured.response.Response;

/**
 * The shared part of the outbox's end-to-end tests ({@link OutboxTest} over SMTP, {@link GraphSendTest} over Graph):
 * a connected mailbox with Sent Items, a new recipient ({@link #friend}) per test, the outbox API, and no outbox
 * item left behind. The background sender is off in tests; a test runs it with {@link OutboxSender#sendDueNow}.
 */
abstract class OutboxTestBase extends ConnectedMailboxTestBase {

    @Inject
    OutboxSender sender;

    @Inject
    OutboxStore store;

    /** A recipient address, new for each test. */
    String friend;

    OutboxTestBase(String userPrefix) {
        super(userPrefix, "Sent Items");
    }

    @BeforeEach
    void newFriend() {
        friend = "friend-" + UUID.randomUUID().toString().substring(0, 8) + "@fabrikam.example";
    }

    @AfterEach
    void deleteOutbox() throws Exception {
        sql.execute("delete from outbox"); // leftovers would be claimed by the next test's sender
    }

    /** A plain message to {@link #friend}. */
    Map<String, Object> simple(String subject) {
        return Map.of("to", List.of(Map.of("address", friend)), "subject", subject, "text", "body of " + subject);
    }

    /** {@code POST .../outbox}: queued (202); answers the item's id. */
    String send(Map<String, Object> body) {
        return given().header("Authorization", bearer).contentType("application/json").body(body)
                .post("/api/v1/mailboxes/" + id + "/outbox").then().statusCode(202)
                .body("state", equalTo("queued")).extract().path("id");
    }

    /** {@code GET .../outbox/{sendId}}. */
    Response item(String sendId) {
        return given().header("Authorization", bearer).get("/api/v1/mailboxes/" + id + "/outbox/" + sendId);
    }

    /** The Message-ID of an item that was sent. */
    String messageIdOf(String sendId) {
        return messageIdOf(sendId, "sent");
    }

    /** The Message-ID of an item, which must be in this state. */
    String messageIdOf(String sendId, String state) {
        return item(sendId).then().body("state", equalTo(state)).extract().path("messageId");
    }

    /** Makes the mailbox's queued items due now (a retry's backoff over). */
    void due() throws Exception {
        sql.execute("update outbox set next_attempt_at = now() where mailbox_id = ? and state = 'queued'", id);
    }
}
