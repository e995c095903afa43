package dev.mailsync.outbox;

import static dev.mailsync.support.Delivered.copies;
import static dev.mailsync.support.Delivered.only;
import static dev.mailsync.support.Delivered.received;
import static dev.mailsync.support.Management.management;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.inject.Inject;
import jakarta.mail.Message.RecipientType;
import jakarta.mail.Multipart;
import jakarta.mail.Part;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeUtility;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.icegreen.greenmail.util.GreenMail;

import dev.mailsync.oauth.AccessTokens;
import dev.mailsync.support.Mailboxes;
import dev.mailsync.support.SmtpFront;
import dev.mailsync.support.SmtpFront.Stage;
import dev.mailsync.support.TestUsers;
import dev.mailsync.support.MailsyncTest;
import io.restassured.path.json.JsonPath;

/**
 * Sending through the real stack: the API, the outbox in PostgreSQL, Angus Mail's SMTP with XOAUTH2 against
 * GreenMail (filing sent mail in "Sent Items" as Outlook does), and an SMTP front that answers like a failing
 * smtp.office365.com. The background sender is off in tests; each test runs it with {@link OutboxSender#sendDueNow}.
 */
@MailsyncTest
class OutboxTest extends OutboxTestBase {

    @Inject
    SmtpSubmitter submitter;

    @Inject
    SendBudget budget;

    @Inject
    AccessTokens tokens;

    OutboxTest() {
        super("sender");
    }

    @AfterEach
    void tearDown() throws Exception {
        smtp.clear(); // before the base class deletes the outbox
    }

    @Test
    void shouldSendOverXoauth2AWellFormedMessageThatOutlookFilesInSentItems() throws Exception {
        byte[] pdf = new byte[40_000];
        new SecureRandom().nextBytes(pdf);
        String bcc = "hidden-" + UUID.randomUUID().toString().substring(0, 8) + "@fabrikam.example";
        String sendId = send(Map.of(
                "to", List.of(Map.of("name", "Jürgen Groß", "address", friend)),
                "bcc", List.of(Map.of("address", bcc)),
                "replyTo", List.of(Map.of("address", "team@contoso.example")),
                "subject", "Grüße aus Köln – Angebot 🚀",
                "text", "Hallo Jürgen,\nanbei das Angebot.",
                "html", "<p>Hallo Jürgen,</p><p>anbei das <b>Angebot</b>.</p>",
                "attachments", List.of(Map.of("filename", "Angebot \"März\" 2026.pdf", "contentType",
                        "application/pdf", "content", Base64.getEncoder().encodeToString(pdf)))));
        item(sendId).then().body("state", equalTo("queued")).body("attempts", equalTo(0));

        assertThat(sender.sendDueNow()).isEqualTo(1);

        JsonPath sent = item(sendId).then().body("state", equalTo("sent")).body("attempts", equalTo(1))
                .extract().jsonPath();
        String messageId = sent.getString("messageId");
        assertThat(messageId).matches("[A-Za-z0-9_-]+@contoso\\.example");
        assertThat(sent.getString("sentAt")).isNotNull();
        assertThat(smtp.clientTranscript()).contains("AUTH XOAUTH2 ").doesNotContain("AUTH LOGIN")
                .doesNotContain("AUTH PLAIN");

        MimeMessage received = only(mail, friend, messageId);
        assertThat(received.getSubject()).isEqualTo("Grüße aus Köln – Angebot 🚀");
        assertThat(received.getHeader("Subject")[0]).startsWith("=?UTF-8?");
        assertThat(received.getFrom()[0].toString()).contains(address);
        assertThat(received.getRecipients(RecipientType.TO)[0].toString()).contains(friend)
                .contains(MimeUtility.encodeWord("Jürgen Groß", "UTF-8", null).substring(0, 10));
        assertThat(received.getHeader("Bcc")).isNull();
        assertThat(received.getReplyTo()[0].toString()).isEqualTo("team@contoso.example");
        assertThat(received.getSentDate()).isCloseTo(new java.util.Date(), 60_000);
        Multipart mixed = (Multipart) received.getContent();
        assertThat(received.getContentType()).startsWith("multipart/mixed");
        Part alternative = mixed.getBodyPart(0);
        assertThat(alternative.getContentType()).startsWith("multipart/alternative");
        Multipart bodies = (Multipart) alternative.getContent();
        assertThat(bodies.getBodyPart(0).getContent().toString()).contains("anbei das Angebot.");
        assertThat(bodies.getBodyPart(1).getContentType()).startsWith("text/html");
        Part attachment = mixed.getBodyPart(1);
        assertThat(attachment.getFileName()).isEqualTo("Angebot \"März\" 2026.pdf");
        assertThat(attachment.getInputStream().readAllBytes()).isEqualTo(pdf);
        assertThat(only(mail, bcc, messageId)).isNotNull();
        assertThat(sql.text("select mime is null from outbox where id = ?", sendId)).isEqualTo("t");

        // Outlook filed it in Sent Items: the next sync shows it there, in its thread
        pass();
        String stored = sql.text("select m.id from message m join folder f on f.id = m.folder_id where f.name = "
                + "'Sent Items' and m.message_id = ?", messageId);
        assertThat(stored).isNotNull();
        given().header("Authorization", bearer).get("/api/v1/mailboxes/" + id + "/messages/" + stored)
                .then().statusCode(200).body("folder", equalTo("Sent Items"))
                .body("subject", equalTo("Grüße aus Köln – Angebot 🚀"));
    }

    @Test
    void shouldReplyReplyAllAndForwardWithTheOriginalsHeadersRecipientsAndAttachments() throws Exception {
        byte[] report = new byte[5_000];
        new SecureRandom().nextBytes(report);
        Mailboxes.appendRaw(inbox, ("From: Anna <anna@fabrikam.example>\r\nTo: " + address
                + ", Bob <bob@fabrikam.example>\r\nCc: carol@fabrikam.example, " + address + "\r\n"
                + "Subject: Quarterly report\r\nMessage-ID: <q3@fabrikam.example>\r\n"
                + "References: <q1@fabrikam.example> <q2@fabrikam.example>\r\nIn-Reply-To: <q2@fabrikam.example>\r\n"
                + "Date: Tue, 24 Nov 2026 10:00:00 +0000\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n"
                + "--b\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n--b\r\nContent-Type: application/pdf\r\n"
                + "Content-Disposition: attachment; filename=q3.pdf\r\nContent-Transfer-Encoding: base64\r\n\r\n"
                + Base64.getMimeEncoder().encodeToString(report) + "\r\n--b--\r\n").getBytes(StandardCharsets.US_ASCII));
        pass();
        String original = sql.text("select id from message where message_id = 'q3@fabrikam.example' and mailbox_id = ?",
                id);

        String reply = send(Map.of("text", "Thanks!", "reference", Map.of("messageId", original, "action", "reply")));
        String replyAll = send(Map.of("text", "Thanks all", "reference",
                Map.of("messageId", original, "action", "replyAll")));
        String forward = send(Map.of("to", List.of(Map.of("address", friend)), "text", "FYI",
                "reference", Map.of("messageId", original, "action", "forward")));
        assertThat(sender.sendDueNow()).isEqualTo(3);

        MimeMessage r = only(mail, "anna@fabrikam.example", messageIdOf(reply));
        assertThat(r.getSubject()).isEqualTo("Re: Quarterly report");
        assertThat(r.getHeader("In-Reply-To")[0]).isEqualTo("<q3@fabrikam.example>");
        assertThat(r.getHeader("References")[0].replaceAll("\\s+", " "))
                .isEqualTo("<q1@fabrikam.example> <q2@fabrikam.example> <q3@fabrikam.example>");
        assertThat(r.getAllRecipients()).hasSize(1);
        // replied: the original is \Answered on the server and in the store
        assertThat(inbox.getMessages().get(0).isSet(jakarta.mail.Flags.Flag.ANSWERED)).isTrue();
        assertThat(sql.text("select answered from message where id = ?", original)).isEqualTo("t");

        MimeMessage all = only(mail, "anna@fabrikam.example", messageIdOf(replyAll));
        assertThat(addresses(all, RecipientType.TO)).containsExactly("anna@fabrikam.example", "bob@fabrikam.example");
        assertThat(addresses(all, RecipientType.CC)).containsExactly("carol@fabrikam.example");
        assertThat(only(mail, "carol@fabrikam.example", messageIdOf(replyAll))).isNotNull();

        MimeMessage f = only(mail, friend, messageIdOf(forward));
        assertThat(f.getSubject()).isEqualTo("Fwd: Quarterly report");
        assertThat(f.getHeader("In-Reply-To")).isNull();
        Part carried = ((Multipart) f.getContent()).getBodyPart(1);
        assertThat(carried.getFileName()).isEqualTo("q3.pdf");
        assertThat(carried.getInputStream().readAllBytes()).isEqualTo(report);

        // after the next sync the reply sits in the original's thread, from Sent Items
        pass();
        String threadId = sql.text("select thread_id from message where id = ?", original);
        given().header("Authorization", bearer).get("/api/v1/mailboxes/{id}/threads/{thread}", id, threadId)
                .then().statusCode(200).body("messages.subject", hasItems("Quarterly report", "Re: Quarterly report"))
                .body("messages.folder", hasItems("INBOX", "Sent Items"));
    }

    @Test
    void shouldRefuseInvalidMessagesWithEveryFieldNamed() throws Exception {
        expectInvalid(Map.of("subject", "nobody to send to", "text", "x"), "to");
        expectInvalid(Map.of("to", List.of(Map.of("address", "victim@fabrikam.example\r\nBcc: all@fabrikam.example"))),
                "to[0].address");
        expectInvalid(Map.of("to", List.of(Map.of("address", friend)), "subject", "hi\r\nBcc: all@fabrikam.example"),
                "subject");
        expectInvalid(Map.of("to", List.of(Map.of("name", "Eve\nBcc: all@fabrikam.example", "address", friend))),
                "to[0].name");
        expectInvalid(Map.of("to", List.of(Map.of("address", "not an address"))), "to[0].address");
        expectInvalid(Map.of("to", List.of(Map.of("address", "Eve <eve@fabrikam.example>"))), "to[0].address");
        expectInvalid(Map.of("to", List.of(Map.of("address", friend)), "attachments",
                List.of(Map.of("filename", "a.txt\r\nContent-Type: text/html", "content", "eA=="))),
                "attachments[0].filename");
        expectInvalid(Map.of("to", List.of(Map.of("address", friend)), "attachments",
                List.of(Map.of("filename", "a.bin", "contentType", "text/html\r\nX: y", "content", "eA=="))),
                "attachments[0].contentType");
        expectInvalid(Map.of("to", List.of(Map.of("address", friend)), "attachments",
                List.of(Map.of("filename", "a.bin", "content", "not base64!"))), "attachments[0].content");
        expectInvalid(Map.of("to", List.of(Map.of("address", friend)), "reference",
                Map.of("messageId", "999999999", "action", "reply")), "reference.messageId");
        expectInvalid(Map.of("to", List.of(Map.of("address", friend)), "reference",
                Map.of("messageId", "1", "action", "bounce")), "reference.action");
        // the test profile limits a message to 2 MB
        byte[] big = new byte[1_600_000];
        expectInvalid(Map.of("to", List.of(Map.of("address", friend)), "attachments",
                List.of(Map.of("filename", "big.bin", "content", Base64.getEncoder().encodeToString(big)))),
                "attachments");
        List<Map<String, String>> many = new ArrayList<>();
        for (int i = 0; i < 101; i++) {
            many.add(Map.of("filename", "f" + i + ".txt", "content", "eA=="));
        }
        expectInvalid(Map.of("to", List.of(Map.of("address", friend)), "attachments", many), "attachments");
        given().header("Authorization", bearer).contentType("application/json").body("{\"to\": [")
                .post("/api/v1/mailboxes/" + id + "/outbox").then().statusCode(400)
                .contentType("application/problem+json");
        given().header("Authorization", bearer).header("Idempotency-Key", "no spaces allowed").contentType("application/json")
                .body(Map.of("to", List.of(Map.of("address", friend))))
                .post("/api/v1/mailboxes/" + id + "/outbox").then().statusCode(400);
        assertThat(bodyTooLarge()).startsWith("HTTP/1.1 413").contains("application/problem+json")
                .contains("\"code\":\"body_too_large\"");
        // the transcript is shared with other tests, whose message texts may name the address: check the envelope
        assertThat(smtp.clientTranscript().lines()).noneMatch(line -> line.startsWith("RCPT TO:<all@"));
        assertThat(sql.count("select count(*) from outbox where mailbox_id = ?", id)).isZero();
    }

    @Test
    void shouldAnswerARepeatedRequestWithTheFirstItemAndSendItOnce() throws Exception {
        Map<String, Object> body = Map.of("to", List.of(Map.of("address", friend)), "subject", "once", "text", "x");
        String first = given().header("Authorization", bearer).header("Idempotency-Key", "k-1")
                .contentType("application/json").body(body).post("/api/v1/mailboxes/" + id + "/outbox")
                .then().statusCode(202).extract().path("id");
        given().header("Authorization", bearer).header("Idempotency-Key", "k-1").contentType("application/json")
                .body(body).post("/api/v1/mailboxes/" + id + "/outbox")
                .then().statusCode(202).header("Idempotent-Replayed", "true").body("id", equalTo(first));
        assertThat(sender.sendDueNow()).isEqualTo(1);
        given().header("Authorization", bearer).header("Idempotency-Key", "k-1").contentType("application/json")
                .body(body).post("/api/v1/mailboxes/" + id + "/outbox")
                .then().statusCode(202).body("id", equalTo(first));
        assertThat(sender.sendDueNow()).isZero();
        given().header("Authorization", bearer).header("Idempotency-Key", "k-1").contentType("application/json")
                .body(Map.of("to", List.of(Map.of("address", friend)), "subject", "another", "text", "y"))
                .post("/api/v1/mailboxes/" + id + "/outbox").then().statusCode(422)
                .body("code", equalTo("idempotency_key_reused"));
        assertThat(only(mail, friend, messageIdOf(first)).getSubject()).isEqualTo("once");
        assertThat(sql.count("select count(*) from outbox where mailbox_id = ?", id)).isEqualTo(1);
    }

    @Test
    void shouldRetryTransientFailuresWithBackoffThenFailAfterTheLastAttempt() throws Exception {
        String sendId = send(simple("busy server"));
        smtp.failNext(Stage.MAIL, "451 4.7.500 Server busy. Please try again later from [127.0.0.1]. (S77714)", 1);
        sender.sendDueNow();
        JsonPath busy = item(sendId).then().body("state", equalTo("queued")).body("attempts", equalTo(1))
                .body("lastError.code", equalTo("smtp_busy")).extract().jsonPath();
        assertThat(busy.getString("lastError.message")).contains("451 4.7.500");
        assertThat(Instant.parse(busy.getString("nextAttemptAt"))).isAfter(Instant.now().plusSeconds(20));
        assertThat(sender.sendDueNow()).isZero(); // not due yet

        due();
        smtp.failNext(Stage.CONNECT, "421 4.3.2 Service not available, closing transmission channel", 1);
        sender.sendDueNow();
        item(sendId).then().body("state", equalTo("queued")).body("attempts", equalTo(2))
                .body("lastError.code", equalTo("smtp_busy"));

        due();
        sql.execute("update mailbox set access_token_expires_at = now() where id = ?", id);
        fake.failNextTokenRequests(1, 503, "temporarily_unavailable", 120);
        sender.sendDueNow();
        JsonPath token = item(sendId).then().body("state", equalTo("queued"))
                .body("lastError.code", equalTo("token_unavailable")).extract().jsonPath();
        assertThat(Instant.parse(token.getString("nextAttemptAt"))).isAfter(Instant.now().plusSeconds(100));

        due();
        sender.sendDueNow();
        String messageId = item(sendId).then().body("state", equalTo("sent")).body("attempts", equalTo(4))
                .extract().path("messageId");
        assertThat(only(mail, friend, messageId)).isNotNull();
        assertThat(sender.backoff(1)).isEqualTo(Duration.ofSeconds(30));
        assertThat(sender.backoff(3)).isEqualTo(Duration.ofMinutes(2));
        assertThat(sender.backoff(12)).isEqualTo(Duration.ofHours(1));

        // always busy: failed after the configured 8 attempts, then queued again by the user
        String doomed = send(simple("always busy"));
        smtp.failNext(Stage.MAIL, "451 4.7.500 Server busy. Please try again later", 8);
        for (int i = 0; i < 8; i++) {
            due();
            sender.sendDueNow();
        }
        item(doomed).then().body("state", equalTo("failed")).body("attempts", equalTo(8))
                .body("lastError.code", equalTo("smtp_busy"));
        given().header("Authorization", bearer).post("/api/v1/mailboxes/" + id + "/outbox/" + doomed + "/retry")
                .then().statusCode(202).body("state", equalTo("queued"));
        sender.sendDueNow();
        item(doomed).then().body("state", equalTo("sent")).body("attempts", equalTo(1));
        given().header("Authorization", bearer).post("/api/v1/mailboxes/" + id + "/outbox/" + doomed + "/retry")
                .then().statusCode(409).body("code", equalTo("not_failed"));
    }

    @Test
    void shouldFailAtOnceWithAClearCodeWhenMicrosoftRefusesForGood() throws Exception {
        // kept on SMTP: in auto (the default) 5.7.139 would switch the mailbox to Graph (GraphSendTest)
        sql.execute("update mailbox set send_transport = 'smtp' where id = ?", id);
        int messagesBefore = smtp.scriptedMessages();
        assertPermanent(Stage.AUTH, "535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled "
                + "for the Tenant. Visit https://aka.ms/smtp_auth_disabled for more information.",
                "smtp_auth_disabled", "administrator must enable authenticated SMTP");
        assertPermanent(Stage.AUTH, "535 5.7.3 Authentication unsuccessful", "smtp_token_rejected", "SMTP.Send");
        assertPermanent(Stage.RCPT, "550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient " + friend
                + " not found by SMTP address lookup", "recipient_refused", "5.1.10");
        assertPermanent(Stage.DATA, "554 5.2.0 STOREDRV.Submission.Exception:MessageTooLargeException; Failed to "
                + "process message due to a permanent exception", "message_too_large", "MessageTooLarge");
        assertPermanent(Stage.MAIL, "554 5.2.252 SendAsDenied; " + address + " not allowed to send as someone",
                "send_as_denied", "SendAsDenied");
        assertThat(smtp.scriptedMessages() - messagesBefore).isEqualTo(1); // only the too-large one reached DATA

        String metrics = management().get("/q/metrics").then().statusCode(200).extract().asString();
        assertThat(metrics).contains("mailsync_smtp_errors_total{code=\"smtp_auth_disabled\"}")
                .contains("mailsync_outbox_failed_total{code=\"recipient_refused\"}")
                .contains("mailsync_outbox_items{state=\"failed\"}")
                .contains("mailsync_outbox_oldest_waiting_seconds")
                .doesNotContain(address).doesNotContain(friend);
    }

    @Test
    void shouldNotSendTwiceWhenTheServerTookTheMailButItsReplyWasLost() throws Exception {
        String sendId = send(simple("reply lost"));
        int sessionsBefore = smtp.scriptedSessions();
        smtp.acceptThenDrop(raw -> deliverLikeOutlook(raw, friend));
        sender.sendDueNow();
        item(sendId).then().body("state", equalTo("queued")).body("lastError.code", equalTo("smtp_connection_lost"));

        due();
        sender.sendDueNow();
        String messageId = item(sendId).then().body("state", equalTo("sent")).extract().path("messageId");
        assertThat(copies(mail, friend, messageId)).isEqualTo(1);
        assertThat(smtp.scriptedSessions() - sessionsBefore).isEqualTo(1); // reconciled from Sent Items, no second submission

        // the connection broke and the server had not kept it: sent again, once
        String lost = send(simple("really lost"));
        smtp.acceptThenDrop(raw -> {
        });
        sender.sendDueNow();
        due();
        sender.sendDueNow();
        String lostId = item(lost).then().body("state", equalTo("sent")).extract().path("messageId");
        assertThat(copies(mail, friend, lostId)).isEqualTo(1);
    }

    @Test
    void shouldRecoverTheItemsOfAReplicaKilledBeforeAndAfterItsSubmission() throws Exception {
        String beforeSend = send(simple("killed before send"));
        String afterSend = send(simple("killed after send"));
        // a replica claims both and dies: one before SMTP, one after the server accepted the mail
        List<OutboxStore.Claimed> claimed = store.claim("dead-replica", 10, Duration.ofMillis(200));
        assertThat(claimed).hasSize(2);
        OutboxStore.Pending pending = store.pending(UUID.fromString(afterSend)).orElseThrow();
        submitter.submit(pending.address(), tokens.accessToken(pending.mailboxId()), pending.mime(),
                pending.envelope());
        Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20)).until(() -> sql.count(
                "select count(*) from outbox where id in (?, ?) and lease_until < now()", beforeSend, afterSend) == 2);

        assertThat(sender.sendDueNow()).isEqualTo(2);

        String before = item(beforeSend).then().body("state", equalTo("sent")).extract().path("messageId");
        String after = item(afterSend).then().body("state", equalTo("sent")).body("attempts", equalTo(2))
                .extract().path("messageId");
        assertThat(copies(mail, friend, before)).isEqualTo(1);
        assertThat(copies(mail, friend, after)).isEqualTo(1);
        assertThat(sql.text("select server_response from outbox where id = ?", afterSend))
                .startsWith("found in the Sent folder");
    }

    @Test
    void shouldLetOneReplicaClaimEachItem() throws Exception {
        for (int i = 0; i < 20; i++) {
            send(simple("claim " + i));
        }
        List<OutboxStore.Claimed> a = new ArrayList<>();
        List<OutboxStore.Claimed> b = new ArrayList<>();
        Thread one = new Thread(() -> a.addAll(store.claim("replica-a", 15, Duration.ofMinutes(5))));
        Thread two = new Thread(() -> b.addAll(store.claim("replica-b", 15, Duration.ofMinutes(5))));
        one.start();
        two.start();
        one.join();
        two.join();
        List<UUID> ids = new ArrayList<>();
        a.forEach(c -> ids.add(c.id()));
        b.forEach(c -> ids.add(c.id()));
        assertThat(ids).hasSize(20).doesNotHaveDuplicates();
    }

    @Test
    void shouldRefuseAMailboxThatMustBeReconnectedAndKeepUsersApart() throws Exception {
        String sendId = send(simple("mine"));
        given().header("Authorization", TestUsers.bearer("intruder")).contentType("application/json")
                .body(simple("not yours")).post("/api/v1/mailboxes/" + id + "/outbox").then().statusCode(404);
        given().header("Authorization", TestUsers.bearer("intruder"))
                .get("/api/v1/mailboxes/" + id + "/outbox/" + sendId).then().statusCode(404);
        given().header("Authorization", TestUsers.bearer("intruder")).get("/api/v1/mailboxes/" + id + "/outbox")
                .then().statusCode(404);
        given().contentType("application/json").body(simple("anonymous"))
                .post("/api/v1/mailboxes/" + id + "/outbox").then().statusCode(401);

        sql.execute("update mailbox set state = 'REAUTH_REQUIRED' where id = ?", id);
        given().header("Authorization", bearer).contentType("application/json").body(simple("after revoke"))
                .post("/api/v1/mailboxes/" + id + "/outbox").then().statusCode(409)
                .contentType("application/problem+json").body("code", equalTo("mailbox_not_active"));
        sender.sendDueNow();
        item(sendId).then().body("state", equalTo("failed")).body("lastError.code", equalTo("mailbox_reauth_required"));
    }

    @Test
    void shouldListNewestFirstAndWithdrawWhatNoAttemptTouched() throws Exception {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            ids.add(send(simple("list " + i)));
        }
        JsonPath first = given().header("Authorization", bearer).queryParam("limit", 3)
                .get("/api/v1/mailboxes/" + id + "/outbox").then().statusCode(200).extract().jsonPath();
        assertThat(first.getList("items.id")).containsExactly(ids.get(4), ids.get(3), ids.get(2));
        given().header("Authorization", bearer).queryParam("limit", 3).queryParam("cursor", first.getString("nextCursor"))
                .get("/api/v1/mailboxes/" + id + "/outbox").then().statusCode(200)
                .body("items.id", equalTo(List.of(ids.get(1), ids.get(0))));
        given().header("Authorization", bearer).queryParam("state", "lost").queryParam("limit", 0)
                .get("/api/v1/mailboxes/" + id + "/outbox").then().statusCode(400)
                .body("errors.field", hasItems("state", "limit"));

        given().header("Authorization", bearer).delete("/api/v1/mailboxes/" + id + "/outbox/" + ids.get(0))
                .then().statusCode(204);
        item(ids.get(0)).then().statusCode(404);
        smtp.failNext(Stage.MAIL, "451 4.7.500 Server busy", 4);
        sender.sendDueNow();
        given().header("Authorization", bearer).delete("/api/v1/mailboxes/" + id + "/outbox/" + ids.get(1))
                .then().statusCode(409).body("code", equalTo("already_attempted"));

        // after the retention (30 days), finished items are forgotten; waiting ones never are
        due();
        sender.sendDueNow();
        sql.execute("update outbox set updated_at = now() - interval '31 days' where id in (?, "
                + "?)", ids.get(1), ids.get(2));
        sql.execute("update outbox set state = 'queued', next_attempt_at = now() + interval '1 day', updated_at = "
                + "now() - interval '31 days' where id = ?", ids.get(3));
        sender.purgeExpired();
        item(ids.get(1)).then().statusCode(404);
        item(ids.get(2)).then().statusCode(404);
        item(ids.get(3)).then().statusCode(200).body("state", equalTo("queued"));
        item(ids.get(4)).then().statusCode(200).body("state", equalTo("sent"));
    }

    /** A request announcing 50 MB (over quarkus.http.limits.max-body-size): the answer, read raw. */
    private String bodyTooLarge() {
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", io.restassured.RestAssured.port)) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(("POST /api/v1/mailboxes/" + id + "/outbox HTTP/1.1\r\nHost: localhost\r\n"
                    + bearer.replace("Bearer", "Authorization: Bearer") + "\r\nContent-Type: application/json\r\n"
                    + "Content-Length: 50000000\r\n\r\n{").getBytes(StandardCharsets.US_ASCII));
            java.io.InputStream in = socket.getInputStream();
            StringBuilder answer = new StringBuilder();
            int c;
            while ((c = in.read()) >= 0) {
                answer.append((char) c);
                int head = answer.indexOf("\r\n\r\n");
                java.util.regex.Matcher length = java.util.regex.Pattern.compile("(?i)content-length: *(\\d+)")
                        .matcher(answer);
                if (head > 0 && (!length.find() || answer.length() >= head + 4 + Integer.parseInt(length.group(1)))) {
                    break;
                }
            }
            return answer.toString();
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private void assertPermanent(Stage stage, String reply, String code, String explanation) {
        String sendId = send(simple("refused " + code));
        smtp.failNext(stage, reply, 1);
        sender.sendDueNow();
        JsonPath failed = item(sendId).then().body("state", equalTo("failed")).body("attempts", equalTo(1))
                .body("lastError.code", equalTo(code)).extract().jsonPath();
        assertThat(failed.getString("lastError.message")).contains(explanation);
        assertThat(failed.getString("nextAttemptAt")).isNull();
    }

    @Test
    void shouldCleanForwardedFileNamesAndTypesFromReceivedMailBeforeTheyGoIntoHeaders() throws Exception {
        String original = receiveWithAttachment("hostile.pdf", new byte[] { 1, 2, 3 });
        // what a hostile sender's RFC 2231 filename decodes to, stored as received
        sql.execute("update message set attachments = jsonb_set(jsonb_set(attachments, '{0,filename}', "
                + "to_jsonb(E'evil\\r\\nBcc: all@fabrikam.example\\r\\n\\u0001\\u0085x.pdf'::text)), "
                + "'{0,contentType}', to_jsonb(E'application/pdf\\r\\nX-Injected: yes'::text)) where id = ?", original);

        String forward = send(Map.of("to", List.of(Map.of("address", friend)), "text", "FYI",
                "reference", Map.of("messageId", original, "action", "forward")));
        assertThat(sender.sendDueNow()).isEqualTo(1);

        MimeMessage f = only(mail, friend, messageIdOf(forward));
        Part carried = ((Multipart) f.getContent()).getBodyPart(1);
        assertThat(carried.getFileName()).isEqualTo("evil Bcc: all@fabrikam.example x.pdf");
        assertThat(carried.getContentType()).startsWith("application/pdf");
        assertThat(carried.getInputStream().readAllBytes()).containsExactly(1, 2, 3);
        java.io.ByteArrayOutputStream raw = new java.io.ByteArrayOutputStream();
        f.writeTo(raw);
        assertThat(raw.toString(StandardCharsets.UTF_8).lines())
                .noneMatch(line -> line.startsWith("Bcc:") || line.startsWith("X-Injected"));
        assertThat(received(mail, "all@fabrikam.example", messageIdOf(forward))).isEmpty();
    }

    @Test
    void shouldCleanTheSubjectAndNamesOfAReplyFromReceivedMailBeforeTheyGoIntoHeaders() throws Exception {
        String original = receiveWithAttachment("reply-hostile.pdf", new byte[] { 1 });
        // what hostile encoded words decode to, stored as received
        sql.execute("update message set subject = E'hi\\r\\nBcc: all@fabrikam.example\\r\\nX-Injected: 1', from_addr "
                + "= jsonb_build_array(jsonb_build_object('name', E'Anna\\r\\nBcc: all@fabrikam.example', 'address', "
                + "'anna@fabrikam.example')) where id = ?", original);

        String reply = send(Map.of("text", "thanks", "reference", Map.of("messageId", original, "action", "reply")));
        assertThat(sender.sendDueNow()).isEqualTo(1);

        MimeMessage r = only(mail, "anna@fabrikam.example", messageIdOf(reply));
        assertThat(r.getSubject()).isEqualTo("Re: hi Bcc: all@fabrikam.example X-Injected: 1");
        java.io.ByteArrayOutputStream raw = new java.io.ByteArrayOutputStream();
        r.writeTo(raw);
        assertThat(raw.toString(StandardCharsets.UTF_8).lines())
                .noneMatch(line -> line.startsWith("Bcc:") || line.startsWith("X-Injected"));
        assertThat(received(mail, "all@fabrikam.example", messageIdOf(reply))).isEmpty();
    }

    @Test
    void shouldRefuseAForwardWhoseAttachmentsCannotFitBeforeFetchingThem() throws Exception {
        String original = receiveWithAttachment("huge.bin", new byte[] { 1 });
        // the stored size says what the server holds (the test profile limits a message to 2 MB)
        sql.execute("update message set attachments = jsonb_set(attachments, '{0,size}', '1700000') where id = ?",
                original);
        int logins = imapProxy.connections();

        given().header("Authorization", bearer).contentType("application/json")
                .body(Map.of("to", List.of(Map.of("address", friend)), "text", "FYI",
                        "reference", Map.of("messageId", original, "action", "forward")))
                .post("/api/v1/mailboxes/" + id + "/outbox").then().statusCode(400)
                .contentType("application/problem+json").body("errors.field", hasItems("reference"));
        assertThat(imapProxy.connections()).as("IMAP logins").isEqualTo(logins);
        assertThat(sql.count("select count(*) from outbox where mailbox_id = ?", id)).isZero();
    }

    @Test
    void shouldHoldLargeMessagesToTheSendMemoryBudget() throws Exception {
        String queued = send(simple("waits for its share"));
        java.util.concurrent.ExecutorService worker = java.util.concurrent.Executors.newSingleThreadExecutor();
        java.util.concurrent.Future<Integer> sending;
        try (SendBudget.Share all = budget.forSubmission(4 * 1024 * 1024)) { // the test profile's whole budget
            given().header("Authorization", bearer).contentType("application/json").body(simple("no room"))
                    .post("/api/v1/mailboxes/" + id + "/outbox").then().statusCode(503).header("Retry-After", "5")
                    .contentType("application/problem+json").body("code", equalTo("sending_busy"));
            sending = worker.submit(sender::sendDueNow);
            Thread.sleep(1500);
            assertThat(sending.isDone()).isFalse();
            item(queued).then().body("state", equalTo("sending"));
            String messageId = item(queued).then().extract().path("messageId");
            assertThat(received(mail, friend, messageId)).isEmpty();
        }
        try {
            assertThat(sending.get(30, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(1);
        } finally {
            worker.shutdownNow();
        }
        item(queued).then().body("state", equalTo("sent"));
        send(simple("room again"));
    }

    /** A message with one attachment in the INBOX, synced; answers its stored id. */
    private String receiveWithAttachment(String filename, byte[] content) throws Exception {
        Mailboxes.appendRaw(inbox, ("From: Anna <anna@fabrikam.example>\r\nTo: " + address + "\r\n"
                + "Subject: with a file\r\nMessage-ID: <" + filename + "@fabrikam.example>\r\n"
                + "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nsee\r\n"
                + "--b\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename=" + filename
                + "\r\nContent-Transfer-Encoding: base64\r\n\r\n" + Base64.getMimeEncoder().encodeToString(content)
                + "\r\n--b--\r\n").getBytes(StandardCharsets.US_ASCII));
        pass();
        return sql.text("select id from message where message_id = ? and mailbox_id = ?",
                filename + "@fabrikam.example", id);
    }

    private void expectInvalid(Map<String, Object> body, String field) {
        given().header("Authorization", bearer).contentType("application/json").body(body)
                .post("/api/v1/mailboxes/" + id + "/outbox").then().statusCode(400)
                .contentType("application/problem+json").body("errors.field", hasItems(field));
    }

    /** What Exchange does with a message it accepted: the recipient's INBOX, the sender's Sent Items. */
    private void deliverLikeOutlook(byte[] raw, String recipient) {
        try {
            mail.setUser(recipient, recipient, recipient);
            MimeMessage message = new MimeMessage(null, new ByteArrayInputStream(raw));
            outlook.fileInSent(address, message);
            Mailboxes.folder(mail, recipient, "INBOX").appendMessage(message, new jakarta.mail.Flags(),
                    new java.util.Date());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<String> addresses(MimeMessage m, RecipientType type) throws Exception {
        List<String> list = new ArrayList<>();
        for (jakarta.mail.Address a : m.getRecipients(type)) {
            list.add(((jakarta.mail.internet.InternetAddress) a).getAddress());
        }
        return list;
    }
}
