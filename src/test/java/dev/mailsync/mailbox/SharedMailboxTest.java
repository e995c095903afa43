package dev.mailsync.mailbox;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.mailsync.outbox.OutboxSender;
import dev.mailsync.support.MailboxTestBase;
import dev.mailsync.support.Mailboxes;
import dev.mailsync.support.MailsyncTest;
import dev.mailsync.support.TestUsers;
import io.restassured.response.ValidatableResponse;

/**
 * Shared mailboxes: added through a connected mailbox whose grant reaches them (tried on the mail server first),
 * synced over IMAP as their own address with the delegate's token, gone with the delegate, and in
 * {@code reauth_required} with it.
 */
@MailsyncTest
class SharedMailboxTest extends MailboxTestBase {

    @Inject
    OutboxSender sender;

    String bearer;
    String delegate;
    String delegateId;
    String shared;

    @BeforeEach
    void connectDelegate() {
        bearer = TestUsers.bearer("shared-" + UUID.randomUUID());
        delegate = Mailboxes.newAccount(mail);
        delegateId = Mailboxes.connect(fake, bearer, delegate);
        shared = "support-" + UUID.randomUUID().toString().substring(0, 8) + "@contoso.example";
    }

    @Test
    void shouldAddASharedMailboxAndListItWithKindAndVia() throws Exception {
        delegations.grant(delegate, shared);

        var created = add(delegateId, shared.toUpperCase()).statusCode(201)
                .body("kind", equalTo("shared")).body("via", equalTo(delegateId))
                .body("address", equalTo(shared)).body("state", equalTo("active"))
                .extract();
        String id = created.path("id");
        assertThat(created.header("Location")).endsWith("/api/v1/mailboxes/" + id);

        given().header("Authorization", bearer).get("/api/v1/mailboxes").then().statusCode(200)
                .body("id", containsInAnyOrder(delegateId, id))
                .body("find { it.id == '" + delegateId + "' }.kind", equalTo("personal"))
                .body("find { it.id == '" + delegateId + "' }.via", nullValue())
                .body("find { it.id == '" + id + "' }.kind", equalTo("shared"))
                .body("find { it.id == '" + id + "' }.via", equalTo(delegateId));
        given().header("Authorization", bearer).get("/api/v1/mailboxes/" + id).then().statusCode(200)
                .body("kind", equalTo("shared")).body("via", equalTo(delegateId)).body("sync.state", equalTo("queued"));
        // tried once on the server as the shared address; no tokens of its own
        assertThat(imapFront.logins(shared)).isEqualTo(1);
        assertThat(sql.count("select count(*) from mailbox where id = ? and access_token is null "
                + "and refresh_token is null and kind = 'shared'", id)).isOne();
    }

    @Test
    void shouldSyncTheSharedMailboxesOwnMessagesWithTheDelegatesToken() throws Exception {
        delegations.grant(delegate, shared);
        Mailboxes.append(Mailboxes.folder(mail, shared, "INBOX"), "for the support team", "shared body", null);
        Mailboxes.append(Mailboxes.folder(mail, delegate, "INBOX"), "for the delegate alone", "own body", null);
        String id = addShared();
        int refreshes = fake.refreshes();

        pass(id);

        given().header("Authorization", bearer).get("/api/v1/mailboxes/" + id + "/messages").then().statusCode(200)
                .body("items.subject", hasItem("for the support team"))
                .body("items.subject", not(hasItem("for the delegate alone")));
        given().header("Authorization", bearer).get("/api/v1/mailboxes/" + id + "/sync").then().statusCode(200)
                .body("state", equalTo("idle")).body("lastError", nullValue());
        assertThat(imapFront.logins(shared)).isEqualTo(2); // the trial, then the pass
        assertThat(fake.refreshes()).isEqualTo(refreshes); // the delegate's stored token served
        // the token the delegate gets next opens the shared mailbox too
        sql.execute("update mailbox set access_token_expires_at = now() - interval '1 minute' where id = ?",
                delegateId);
        Mailboxes.append(Mailboxes.folder(mail, shared, "INBOX"), "after a refresh", "b", null);
        pass(id);
        assertThat(fake.refreshes()).isEqualTo(refreshes + 1);
        assertThat(sql.list("select subject from message where mailbox_id = ?", id))
                .containsExactlyInAnyOrder("for the support team", "after a refresh");
    }

    @Test
    void shouldRefuseASharedMailboxTheUserCannotOpenAndAddNothing() throws Exception {
        Mailboxes.newAccount(mail); // someone else's
        String foreign = Mailboxes.newAccount(mail);

        add(delegateId, foreign).statusCode(422).contentType("application/problem+json")
                .body("code", equalTo("shared_mailbox_denied"))
                .body("detail", containsString(foreign)).body("detail", containsString("AUTHENTICATE failed"));
        add(delegateId, shared).statusCode(422).body("code", equalTo("shared_mailbox_denied")); // no such mailbox

        assertThat(sql.count("select count(*) from mailbox where address in (?, ?)", foreign, shared)).isZero();
        assertThat(imapFront.logins(foreign)).isEqualTo(1);
        // granted later, it can be added
        delegations.grant(delegate, foreign);
        add(delegateId, foreign).statusCode(201);
    }

    @Test
    void shouldAnswer503WhenTheMailServerCannotBeReached() throws Exception {
        delegations.grant(delegate, shared);
        imapProxy.cutNextConnectionAfter(0);

        add(delegateId, shared).statusCode(503).contentType("application/problem+json")
                .body("code", equalTo("imap_unreachable")).body("detail", containsString(shared));

        assertThat(sql.count("select count(*) from mailbox where address = ?", shared)).isZero();
        add(delegateId, shared).statusCode(201);
    }

    @Test
    void shouldGiveUpOnAServerThatDoesNotAnswerWithinTheTrialTimeout() throws Exception {
        delegations.grant(delegate, shared);
        imapFront.silence(shared);
        long started = System.nanoTime();

        add(delegateId, shared).statusCode(503).body("code", equalTo("imap_unreachable"));

        assertThat(Duration.ofNanos(System.nanoTime() - started)).isBetween(Duration.ofSeconds(2),
                Duration.ofSeconds(8)); // mailsync.imap.trial-login-timeout is 2 s in the tests
        assertThat(sql.count("select count(*) from mailbox where address = ?", shared)).isZero();
    }

    @Test
    void shouldAnswerAThrottledTrialLoginWithRetryAfter() throws Exception {
        delegations.grant(delegate, shared);
        imapFront.throttle(shared, "LOGIN", "NO", 30_000, false, 1);

        add(delegateId, shared).statusCode(503).body("code", equalTo("imap_throttled"))
                .header("Retry-After", "30");

        assertThat(sql.count("select count(*) from mailbox where address = ?", shared)).isZero();
        add(delegateId, shared).statusCode(201);
    }

    @Test
    void shouldDisconnectTheSharedMailboxesWithTheDelegate() throws Exception {
        delegations.grant(delegate, shared);
        Mailboxes.append(Mailboxes.folder(mail, shared, "INBOX"), "shared", "b", null);
        String id = addShared();
        pass(id);
        assertThat(sql.count("select count(*) from message where mailbox_id = ?", id)).isOne();
        assertThat(sql.count("select count(*) from event where mailbox_id = ?", id)).isPositive();

        given().header("Authorization", bearer).delete("/api/v1/mailboxes/" + delegateId).then().statusCode(204);

        given().header("Authorization", bearer).get("/api/v1/mailboxes/" + id).then().statusCode(404);
        for (String table : List.of("mailbox where id", "mailbox_sync where mailbox_id", "folder where mailbox_id",
                "message where mailbox_id", "event where mailbox_id", "outbox where mailbox_id",
                "mailbox_watch where mailbox_id", "imap_backoff where mailbox_id")) {
            assertThat(sql.count("select count(*) from " + table + " = ?", id)).as(table).isZero();
        }
    }

    @Test
    void shouldRemoveASharedMailboxAlone() throws Exception {
        delegations.grant(delegate, shared);
        String id = addShared();

        given().header("Authorization", bearer).delete("/api/v1/mailboxes/" + id).then().statusCode(204);

        given().header("Authorization", bearer).get("/api/v1/mailboxes").then().statusCode(200)
                .body("id", containsInAnyOrder(delegateId));
        add(delegateId, shared).statusCode(201); // and added again
    }

    @Test
    void shouldValidateTheAddress() throws Exception {
        delegations.grant(delegate, shared);

        add(delegateId, "not an address").statusCode(400).body("code", equalTo("validation_failed"))
                .body("errors.field", hasItem("address"));
        given().header("Authorization", bearer).contentType("application/json").body(Map.of())
                .post("/api/v1/mailboxes/" + delegateId + "/shared")
                .then().statusCode(400).body("code", equalTo("validation_failed"));
        add(delegateId, delegate.toUpperCase()).statusCode(400).body("code", equalTo("validation_failed"))
                .body("errors.field", hasItem("address")).body("errors.message", hasItem(containsString("itself")));
        String id = addShared();
        add(delegateId, shared.toUpperCase()).statusCode(409).body("code", equalTo("shared_mailbox_exists"));
        add(id, "other@contoso.example").statusCode(404); // a shared mailbox has no grant to share

        assertThat(sql.count("select count(*) from mailbox where user_id = (select user_id from mailbox "
                + "where id = ?)", delegateId)).isEqualTo(2);
        assertThat(imapFront.logins(shared)).isEqualTo(1); // refused before any login
    }

    @Test
    void shouldAnswer404ForAnotherUsersOrAnUnknownMailbox() throws Exception {
        delegations.grant(delegate, shared);
        String intruder = TestUsers.bearer("intruder-" + UUID.randomUUID());

        String foreign = given().header("Authorization", intruder).contentType("application/json")
                .body(Map.of("address", shared)).post("/api/v1/mailboxes/" + delegateId + "/shared")
                .then().statusCode(404).body("code", equalTo("not_found")).extract().path("detail");
        UUID unknown = UUID.randomUUID();
        String missing = add(unknown.toString(), shared).statusCode(404).extract().path("detail");

        assertThat(foreign.replace(delegateId, "X")).isEqualTo(missing.replace(unknown.toString(), "X"));
        assertThat(imapFront.logins(shared)).isZero();
        assertThat(sql.count("select count(*) from mailbox where address = ?", shared)).isZero();
    }

    @Test
    void shouldNeedReconnectingWithItsDelegateAndResumeAfter() throws Exception {
        delegations.grant(delegate, shared);
        String id = addShared();
        pass(id);
        fake.revokeAll();
        sql.execute("update mailbox set access_token_expires_at = now() - interval '1 minute' where id = ?",
                delegateId);

        pass(delegateId); // the refresh token is refused

        given().header("Authorization", bearer).get("/api/v1/mailboxes/" + id).then().statusCode(200)
                .body("state", equalTo("reauth_required")).body("stateReason", containsString(delegate))
                .body("sync.state", equalTo("reauth_required"));
        assertThat(sql.list("select type from event where mailbox_id = ? order by tx, id", id))
                .containsExactly("mailbox.sync", "mailbox.reauth_required");
        assertThat(leases.claimDue("scheduler", 1000)).doesNotContain(UUID.fromString(id));
        add(delegateId, "other@contoso.example").statusCode(409).body("code", equalTo("mailbox_not_active"));

        Mailboxes.connect(fake, bearer, delegate); // the user reconnects the delegate

        given().header("Authorization", bearer).get("/api/v1/mailboxes/" + id).then().statusCode(200)
                .body("state", equalTo("active")).body("stateReason", nullValue());
        Mailboxes.append(Mailboxes.folder(mail, shared, "INBOX"), "after reconnecting", "b", null);
        pass(id);
        assertThat(sql.list("select subject from message where mailbox_id = ?", id))
                .contains("after reconnecting");
    }

    @Test
    void shouldSendFromASharedMailboxThroughGraphAsItsAddressWithTheDelegatesToken() throws Exception {
        delegations.grant(delegate, shared);
        graph.grantSendAs(delegate, shared);
        Mailboxes.folder(mail, shared, "Sent Items");
        String id = addShared();
        int smtpSessions = smtp.scriptedSessions();

        String sendId = send(id, "from the support team");
        sender.sendDueNow();

        outboxItem(id, sendId).then().body("state", equalTo("sent")).body("transport", equalTo("graph"));
        assertThat(graph.mail().submitted()).singleElement().satisfies(mime -> assertThat(
                new String(mime, StandardCharsets.UTF_8)).contains("From: " + shared).contains("from the support team"));
        assertThat(graph.mail().requests("sendMail")).isOne();
        assertThat(smtp.scriptedSessions()).isEqualTo(smtpSessions); // never SMTP, whatever the setting
        assertThat(Mailboxes.folder(mail, shared, "Sent Items").getMessageCount()).isOne();
    }

    @Test
    void shouldFailASendFromASharedMailboxWithoutSendAsAsSendAsDenied() throws Exception {
        delegations.grant(delegate, shared); // Full Access to read it, but no Send As
        String id = addShared();

        String sendId = send(id, "not allowed");
        sender.sendDueNow();

        outboxItem(id, sendId).then().body("state", equalTo("failed")).body("lastError.code", equalTo("send_as_denied"));
        assertThat(graph.mail().submitted()).isEmpty();
    }

    private String send(String id, String subject) {
        return given().header("Authorization", bearer).contentType("application/json")
                .body(Map.of("to", List.of(Map.of("address", "someone@fabrikam.example")), "subject", subject,
                        "text", "hello"))
                .post("/api/v1/mailboxes/" + id + "/outbox").then().statusCode(202).extract().path("id");
    }

    private io.restassured.response.Response outboxItem(String id, String sendId) {
        return given().header("Authorization", bearer).get("/api/v1/mailboxes/" + id + "/outbox/" + sendId);
    }

    private String addShared() {
        return add(delegateId, shared).statusCode(201).extract().path("id");
    }

    private ValidatableResponse add(String viaId, String address) {
        return given().header("Authorization", bearer).contentType("application/json")
                .body(Map.of("address", address)).post("/api/v1/mailboxes/" + viaId + "/shared").then();
    }

    private void pass(String id) {
        UUID mailboxId = UUID.fromString(id);
        assertThat(leases.claim(mailboxId, "test")).as("mailbox is free").isTrue();
        syncer.runPass(mailboxId, "test");
    }
}
