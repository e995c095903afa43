package dev.mailsync.events;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.inject.Inject;
import jakarta.mail.Flags;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.mailsync.outbox.OutboxSender;
import dev.mailsync.support.Mailboxes;
import dev.mailsync.support.ConnectedMailboxTestBase;
import dev.mailsync.support.MailsyncTest;
import dev.mailsync.support.SmtpFront.Stage;
import dev.mailsync.support.TestUsers;
import io.restassured.path.json.JsonPath;

/**
 * The change feed end to end: what the sync and the API write reaches {@code GET .../changes} as created, updated
 * and destroyed ids, folded as JMAP folds them, paged, and refused once retention has passed the state.
 */
@MailsyncTest
class ChangeFeedTest extends ConnectedMailboxTestBase {

    @Inject
    EventRetention retention;
    @Inject
    OutboxSender sender;

    ChangeFeedTest() {
        super("feed", "Archive", "Sent Items");
    }

    @AfterEach
    void tearDown() throws Exception {
        sql.execute("delete from outbox where mailbox_id = ?", id);
    }

    @Test
    void shouldReportCreatesUpdatesMovesAndDeletesFromTheSyncAndTheApi() throws Exception {
        Mailboxes.append(inbox, "first", "x", null);
        long secondUid = Mailboxes.append(inbox, "second", "x", null);
        String empty = listState();

        pass();

        JsonPath fill = changes(empty);
        String first = idOf("first");
        String second = idOf("second");
        assertThat(fill.getList("created", String.class)).containsExactlyInAnyOrder(first, second);
        assertThat(fill.getList("updated", String.class)).isEmpty();
        assertThat(fill.getBoolean("hasMoreChanges")).isFalse();
        String filled = fill.getString("newState");
        assertThat(filled).isNotEqualTo(empty).isEqualTo(listState()).isEqualTo(syncState());
        // the first fill is for the feed only; SSE and webhooks are not told about old mail
        assertThat(sql.list("select distinct announce::text from event where mailbox_id = ? and type = "
                + "'message.created'", id)).containsExactly("false");

        // nothing happened: same state, nothing listed
        JsonPath quiet = changes(filled);
        assertThat(quiet.getString("newState")).isEqualTo(filled);
        assertThat(quiet.getList("created")).isEmpty();

        // new mail after the first fill is announced
        Mailboxes.append(inbox, "third", "x", null);
        pass();
        String third = idOf("third");
        JsonPath arrived = changes(filled);
        assertThat(arrived.getList("created", String.class)).containsExactly(third);
        assertThat(sql.text("select announce::text from event where message_id = ?", third)).isEqualTo("true");

        // flags through the API, once: the second identical PATCH changes nothing and records nothing
        String before = arrived.getString("newState");
        patch(first, "{\"seen\": true}");
        String flagged = changes(before).getString("newState");
        assertThat(changes(before).getList("updated", String.class)).containsExactly(first);
        patch(first, "{\"seen\": true}");
        assertThat(changes(flagged).getString("newState")).isEqualTo(flagged);

        // flags changed on the server reach the feed through the next pass; an unchanged pass adds nothing
        inbox.setFlags(new Flags(Flags.Flag.FLAGGED), true, secondUid, null, false);
        pass();
        JsonPath serverFlags = changes(flagged);
        assertThat(serverFlags.getList("updated", String.class)).containsExactly(second);
        String afterServer = serverFlags.getString("newState");
        pass();
        assertThat(changes(afterServer).getString("newState")).isEqualTo(afterServer);

        // a move keeps the id (UIDPLUS): updated, with the new folder in the event
        given().header("Authorization", bearer).contentType("application/json").body("{\"sync\": true}")
                .put("/api/v1/mailboxes/" + id + "/folders/Archive").then().statusCode(200);
        given().header("Authorization", bearer).contentType("application/json").body("{\"folder\": \"Archive\"}")
                .post("/api/v1/mailboxes/" + id + "/messages/" + third + "/move").then().statusCode(204);
        JsonPath moved = changes(afterServer);
        assertThat(moved.getList("updated", String.class)).containsExactly(third);
        assertThat(sql.text("select folder from event where message_id = ? order by tx desc, id desc limit 1",
                third)).isEqualTo("Archive");

        // deleted through the API, and expunged on the server
        String beforeDeletes = moved.getString("newState");
        given().header("Authorization", bearer).queryParam("permanent", "true")
                .delete("/api/v1/mailboxes/" + id + "/messages/" + first).then().statusCode(204);
        inbox.getMessage(secondUid).setFlag(Flags.Flag.DELETED, true);
        inbox.expunge();
        pass();
        JsonPath deleted = changes(beforeDeletes);
        assertThat(deleted.getList("destroyed", String.class)).containsExactlyInAnyOrder(first, second);
        assertThat(deleted.getList("created")).isEmpty();
        assertThat(deleted.getList("updated")).isEmpty();

        // over the whole story: the messages that came and went are in neither list; updated then destroyed is
        // destroyed; created then moved is created
        JsonPath all = changes(empty);
        assertThat(all.getList("created", String.class)).containsExactly(third);
        assertThat(all.getList("updated")).isEmpty();
        assertThat(all.getList("destroyed")).isEmpty();
        JsonPath sinceFill = changes(filled);
        assertThat(sinceFill.getList("created", String.class)).containsExactly(third);
        assertThat(sinceFill.getList("destroyed", String.class)).containsExactlyInAnyOrder(first, second);
    }

    @Test
    void shouldPageWithTheLimit() throws Exception {
        for (int i = 0; i < 3; i++) {
            Mailboxes.append(inbox, "page " + i, "x", null);
        }
        String empty = listState();
        pass();

        JsonPath page = given().header("Authorization", bearer).queryParam("since", empty).queryParam("limit", 2)
                .get("/api/v1/mailboxes/" + id + "/changes").then().statusCode(200).extract().jsonPath();
        assertThat(page.getBoolean("hasMoreChanges")).isTrue();
        assertThat(page.getList("created")).hasSize(2);
        JsonPath rest = given().header("Authorization", bearer).queryParam("since", page.getString("newState"))
                .queryParam("limit", 2).get("/api/v1/mailboxes/" + id + "/changes").then().statusCode(200)
                .extract().jsonPath();
        assertThat(rest.getList("created")).hasSize(1).doesNotContainAnyElementsOf(page.getList("created"));
        // the rest ends with the first pass's mailbox.sync, which moves the state without an id
        assertThat(rest.getBoolean("hasMoreChanges")).isFalse();
        assertThat(rest.getString("newState")).isEqualTo(listState());
    }

    @Test
    void shouldRefuseBadStatesOtherUsersAndStatesOlderThanTheRetention() throws Exception {
        String start = listState();
        for (String bad : new String[] { "garbage", "12", "-1-2", "1-99999999999999999999" }) {
            given().header("Authorization", bearer).queryParam("since", bad).get("/api/v1/mailboxes/" + id
                    + "/changes").then().statusCode(400).body("code", equalTo("validation_failed"))
                    .body("errors[0].field", equalTo("since"));
        }
        given().header("Authorization", bearer).get("/api/v1/mailboxes/" + id + "/changes").then().statusCode(400);
        given().header("Authorization", bearer).queryParam("since", start).queryParam("limit", 0)
                .get("/api/v1/mailboxes/" + id + "/changes").then().statusCode(400)
                .body("errors[0].field", equalTo("limit"));
        given().header("Authorization", TestUsers.bearer("intruder-" + UUID.randomUUID())).queryParam("since", start)
                .get("/api/v1/mailboxes/" + id + "/changes").then().statusCode(404).body("code", equalTo("not_found"));

        Mailboxes.append(inbox, "kept a while", "x", null);
        pass();
        retention.purge(Duration.ofDays(1)); // this test's events are younger: kept
        assertThat(changes(start).getList("created")).hasSize(1);

        assertThat(retention.purge(Duration.ZERO)).isPositive();

        given().header("Authorization", bearer).queryParam("since", start).get("/api/v1/mailboxes/" + id
                + "/changes").then().statusCode(410).contentType("application/problem+json")
                .body("code", equalTo("cannot_calculate_changes"));
        // re-listing answers a state the feed can go on from
        String relisted = listState();
        assertThat(changes(relisted).getString("newState")).isEqualTo(relisted);
        assertThat(sql.count("select count(*) from event where mailbox_id = ?", id)).isZero();
    }

    @Test
    void shouldRecordSyncStatusChangesAndReauthOnce() throws Exception {
        pass();
        pass(); // a periodic pass that ends as the one before: nothing new
        assertThat(types()).containsExactly("mailbox.sync");
        assertThat(sql.text("select data->>'firstSync' from event where mailbox_id = ?", id)).isEqualTo("true");

        fake.revokeAll();
        sql.execute("update mailbox set access_token_expires_at = now() - interval '1 minute' where id = ?", id);
        String before = listState();
        pass();
        pass(); // still failing the same way: no new event

        assertThat(types()).containsExactly("mailbox.sync", "mailbox.reauth_required", "mailbox.sync");
        assertThat(sql.text("select data->>'error' from event where mailbox_id = ? and type = 'mailbox.sync' "
                + "order by tx desc, id desc limit 1", id)).isEqualTo("reauth_required");
        JsonPath changes = changes(before);
        assertThat(changes.getString("newState")).isNotEqualTo(before);
        assertThat(changes.getList("created")).isEmpty();
    }

    @Test
    void shouldRecordSentAndFailedOutboxItemsWithoutTheirContent() throws Exception {
        String friend = "friend-" + UUID.randomUUID().toString().substring(0, 8) + "@fabrikam.example";
        String sent = send(friend, "secret body one");
        assertThat(sender.sendDueNow()).isEqualTo(1);
        String failed = send(friend, "secret body two");
        smtp.failNext(Stage.RCPT, "550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found", 1);
        sender.sendDueNow();

        List<String> data = sql.list("select type || ' ' || data::text from event where mailbox_id = ? and type like "
                + "'outbox.%' order by tx, id", id);
        String messageId = sql.text("select message_id from outbox where id = ?::uuid", sent);
        assertThat(data).hasSize(2);
        assertThat(data.get(0)).startsWith("outbox.sent ").contains("\"outboxId\": \"" + sent + "\"")
                .contains("\"internetMessageId\": \"" + messageId + "\"");
        assertThat(data.get(1)).startsWith("outbox.failed ").contains("\"outboxId\": \"" + failed + "\"")
                .contains("\"error\": \"recipient_refused\"");
        assertThat(String.join(" ", data)).doesNotContain("secret body").doesNotContain(friend);
    }

    private String send(String to, String text) {
        return given().header("Authorization", bearer).contentType("application/json")
                .body(Map.of("to", List.of(Map.of("address", to)), "subject", "feed", "text", text))
                .post("/api/v1/mailboxes/" + id + "/outbox").then().statusCode(202).extract().path("id");
    }

    private List<String> types() throws SQLException {
        return sql.list("select type from event where mailbox_id = ? order by tx, id", id);
    }

    private void patch(String messageId, String body) {
        given().header("Authorization", bearer).contentType("application/json").body(body)
                .patch("/api/v1/mailboxes/" + id + "/messages/" + messageId).then().statusCode(200);
    }

    private JsonPath changes(String since) {
        JsonPath changes = given().header("Authorization", bearer).queryParam("since", since)
                .get("/api/v1/mailboxes/" + id + "/changes").then().statusCode(200).extract().jsonPath();
        assertThat(changes.getString("oldState")).isEqualTo(since);
        return changes;
    }

    private String listState() {
        return given().header("Authorization", bearer).get("/api/v1/mailboxes/" + id + "/messages").then()
                .statusCode(200).extract().path("state");
    }

    private String syncState() {
        return given().header("Authorization", bearer).get("/api/v1/mailboxes/" + id + "/sync").then()
                .statusCode(200).extract().path("changeState");
    }

    private String idOf(String subject) throws SQLException {
        return sql.text("select id from message where mailbox_id = ? and subject = ?", id, subject);
    }
}
