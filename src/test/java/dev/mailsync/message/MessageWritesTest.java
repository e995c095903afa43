package dev.mailsync.message;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.security.SecureRandom;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

import jakarta.mail.Flags;

import org.junit.jupiter.api.Test;

import com.icegreen.greenmail.store.MailFolder;
import com.icegreen.greenmail.store.StoredMessage;

import dev.mailsync.support.Mailboxes;
import dev.mailsync.support.TestUsers;
import dev.mailsync.support.MailsyncTest;
import dev.mailsync.support.ConnectedMailboxTestBase;
import io.restassured.response.Response;

/** Downloads and writes through the API: the server first, then the store, and the next sync agrees. */
@MailsyncTest
class MessageWritesTest extends ConnectedMailboxTestBase {

    MessageWritesTest() {
        super("writer", "Deleted Items", "Archive");
    }

    @Test
    void shouldStreamAttachmentWithSafeDispositionAndRawMessage() throws Exception {
        byte[] content = new byte[300_000];
        new SecureRandom().nextBytes(content);
        String base64 = Base64.getMimeEncoder().encodeToString(content);
        Mailboxes.appendRaw(inbox, ("From: a@fabrikam.example\r\nSubject: report\r\nMessage-ID: <r@x>\r\n"
                + "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nsee\r\n"
                + "--b\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; "
                + "filename*=UTF-8''Pr%C3%BCfbericht%20%22final%22.pdf\r\nContent-Transfer-Encoding: base64\r\n\r\n"
                + base64 + "\r\n--b--\r\n").getBytes(StandardCharsets.US_ASCII));
        pass();
        String messageId = firstId();

        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        Response download;
        List<String> spooled = new ArrayList<>();
        try (WatchService watch = tmp.getFileSystem().newWatchService()) {
            tmp.register(watch, StandardWatchEventKinds.ENTRY_CREATE);
            download = given().header("Authorization", bearer)
                    .get("/api/v1/mailboxes/" + id + "/messages/" + messageId + "/attachments/1");
            for (WatchKey key = watch.poll(1, TimeUnit.SECONDS); key != null;
                    key = watch.poll(200, TimeUnit.MILLISECONDS)) {
                key.pollEvents().forEach(e -> spooled.add(e.context().toString()));
            }
        }

        // streamed from the server as it comes: chunked, nothing spooled to disk (the pod's emptyDir is small)
        assertThat(spooled).noneMatch(name -> name.startsWith("mailsync"));
        download.then().statusCode(200).contentType("application/pdf")
                .header("Transfer-Encoding", "chunked")
                .header("Content-Disposition", "attachment; filename=\"Pr_fbericht _final_.pdf\"; "
                        + "filename*=UTF-8''Pr%C3%BCfbericht%20%22final%22.pdf")
                .header("X-Content-Type-Options", "nosniff");
        assertThat(download.asByteArray()).isEqualTo(content);
        // fetched in chunks (64 KB in tests): a download holds one chunk, not the attachment
        assertThat(imapProxy.clientTranscript()).contains("BODY.PEEK[2]<65536.65536>");
        given().header("Authorization", bearer).get("/api/v1/mailboxes/" + id + "/messages/" + messageId
                + "/attachments/9").then().statusCode(404).contentType("application/problem+json");
        given().header("Authorization", bearer).get("/api/v1/mailboxes/" + id + "/messages/" + messageId + "/raw")
                .then().statusCode(200).contentType("message/rfc822").body(containsString("Subject: report"));
        given().header("Authorization", TestUsers.bearer("intruder")).get("/api/v1/mailboxes/" + id
                + "/messages/" + messageId + "/attachments/1").then().statusCode(404);
    }

    @Test
    void shouldChangeFlagsOnTheServerAndKeepThemAfterTheNextSync() throws Exception {
        long uid = Mailboxes.append(inbox, "flag me", "x", null);
        pass();
        String messageId = firstId();

        given().header("Authorization", bearer).contentType("application/json")
                .body("{\"seen\": true, \"flagged\": true}")
                .patch("/api/v1/mailboxes/" + id + "/messages/" + messageId)
                .then().statusCode(200).body("flags.seen", equalTo(true)).body("flags.flagged", equalTo(true));

        StoredMessage stored = inbox.getMessage(uid);
        assertThat(stored.isSet(Flags.Flag.SEEN)).isTrue();
        assertThat(stored.isSet(Flags.Flag.FLAGGED)).isTrue();
        pass();
        assertThat(sql.text("select seen and flagged from message where id = ?", messageId)).isEqualTo("t");
        given().header("Authorization", bearer).contentType("application/json").body("{}")
                .patch("/api/v1/mailboxes/" + id + "/messages/" + messageId)
                .then().statusCode(400).contentType("application/problem+json");
    }

    @Test
    void shouldMoveAndDeleteOnTheServerWithoutDuplicatesAfterTheNextSync() throws Exception {
        Mailboxes.append(inbox, "to archive", "x", null);
        Mailboxes.append(inbox, "to trash", "x", null);
        Mailboxes.append(inbox, "to oblivion", "x", null);
        pass();
        given().header("Authorization", bearer).contentType("application/json").body("{\"sync\": true}")
                .put("/api/v1/mailboxes/" + id + "/folders/Archive").then().statusCode(200);
        given().header("Authorization", bearer).contentType("application/json").body("{\"sync\": true}")
                .put("/api/v1/mailboxes/{id}/folders/{folder}", id, "Deleted Items").then().statusCode(200);

        given().header("Authorization", bearer).contentType("application/json").body("{\"folder\": \"Archive\"}")
                .post("/api/v1/mailboxes/" + id + "/messages/" + idOf("to archive") + "/move")
                .then().statusCode(204);
        given().header("Authorization", bearer).delete("/api/v1/mailboxes/" + id + "/messages/" + idOf("to trash"))
                .then().statusCode(204);
        given().header("Authorization", bearer).queryParam("permanent", "true")
                .delete("/api/v1/mailboxes/" + id + "/messages/" + idOf("to oblivion")).then().statusCode(204);

        assertThat(inbox.getMessageCount()).isZero();
        assertThat(Mailboxes.folder(mail, address, "Archive").getMessageCount()).isEqualTo(1);
        assertThat(Mailboxes.folder(mail, address, "Deleted Items").getMessageCount()).isEqualTo(1);
        pass();
        assertThat(sql.text("select string_agg(f.name || ':' || m.subject, ',' order by m.subject) from message m "
                + "join folder f on f.id = m.folder_id where m.mailbox_id = ?", id))
                .isEqualTo("Archive:to archive,Deleted Items:to trash");
        given().header("Authorization", bearer).contentType("application/json").body("{\"folder\": \"Nowhere\"}")
                .post("/api/v1/mailboxes/" + id + "/messages/" + idOf("to archive") + "/move")
                .then().statusCode(404).contentType("application/problem+json");
    }

    @Test
    void shouldApplyOneActionToManyMessages() throws Exception {
        for (int i = 0; i < 4; i++) {
            Mailboxes.append(inbox, "batch " + i, "x", null);
        }
        pass();
        String ids = "\"" + idOf("batch 0") + "\", \"" + idOf("batch 1") + "\", \"999999999\"";

        given().header("Authorization", bearer).contentType("application/json")
                .body("{\"ids\": [" + ids + "], \"action\": \"markRead\"}")
                .post("/api/v1/mailboxes/" + id + "/messages/batch")
                .then().statusCode(200)
                .body("results.status", equalTo(java.util.List.of("done", "done", "failed")))
                .body("results[2].code", equalTo("not_found"));
        assertThat(sql.text("select count(*) from message where mailbox_id = ? and seen", id)).isEqualTo("2");
        assertThat(inbox.getNonDeletedMessages().stream().filter(m -> m.isSet(Flags.Flag.SEEN)).count())
                .isEqualTo(2);
        given().header("Authorization", bearer).contentType("application/json")
                .body("{\"ids\": [" + ids + "], \"action\": \"move\"}")
                .post("/api/v1/mailboxes/" + id + "/messages/batch")
                .then().statusCode(400).contentType("application/problem+json");
        given().header("Authorization", bearer).contentType("application/json")
                .body("{\"ids\": [], \"action\": \"explode\"}")
                .post("/api/v1/mailboxes/" + id + "/messages/batch")
                .then().statusCode(400).body("errors.field", org.hamcrest.Matchers.hasItems("ids", "action"));
    }

    @Test
    void shouldApplyABatchInOneImapSessionWithUidSetsAndReportEachMessage() throws Exception {
        List<Long> inboxUids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            inboxUids.add(Mailboxes.append(inbox, "inbox " + i, "x", null));
        }
        MailFolder archive = Mailboxes.folder(mail, address, "Archive");
        for (int i = 0; i < 3; i++) {
            Mailboxes.append(archive, "archive " + i, "x", null);
        }
        pass(); // the folder list
        given().header("Authorization", bearer).contentType("application/json").body("{\"sync\": true}")
                .put("/api/v1/mailboxes/" + id + "/folders/Archive").then().statusCode(200);
        pass();
        List<String> ids = new ArrayList<>();
        for (String subject : List.of("inbox 0", "inbox 1", "inbox 2", "inbox 3", "inbox 4", "archive 0", "archive 1",
                "archive 2")) {
            ids.add(idOf(subject));
        }
        ids.add("999999999");
        // "inbox 2" disappears on the server behind the store's back
        inbox.getMessage(inboxUids.get(2)).setFlag(Flags.Flag.DELETED, true);
        inbox.expunge();
        String body = "{\"ids\": [\"" + String.join("\", \"", ids) + "\"], \"action\": \"%s\"%s}";

        int logins = imapProxy.connections();
        given().header("Authorization", bearer).contentType("application/json")
                .body(String.format(body, "markRead", ""))
                .post("/api/v1/mailboxes/" + id + "/messages/batch")
                .then().statusCode(200)
                .body("results.id", equalTo(ids))
                .body("results.status", equalTo(List.of("done", "done", "failed", "done", "done", "done", "done",
                        "done", "failed")))
                .body("results[2].code", equalTo("message_changed"))
                .body("results[8].code", equalTo("not_found"));

        assertThat(imapProxy.connections() - logins).as("IMAP logins for one batch").isEqualTo(1);
        String set = inboxUids.get(0) + ":" + inboxUids.get(1) + "," + inboxUids.get(3) + ":" + inboxUids.get(4);
        assertThat(imapProxy.clientTranscript()).contains("UID STORE " + set + " +FLAGS.SILENT (\\Seen)");
        assertThat(inbox.getMessages().stream().allMatch(m -> m.isSet(Flags.Flag.SEEN))).isTrue();
        assertThat(archive.getMessages().stream().allMatch(m -> m.isSet(Flags.Flag.SEEN))).isTrue();
        assertThat(sql.count("select count(*) from message where mailbox_id = ? and seen", id))
                .isEqualTo(7);

        logins = imapProxy.connections();
        given().header("Authorization", bearer).contentType("application/json")
                .body(String.format(body, "move", ", \"folder\": \"Deleted Items\""))
                .post("/api/v1/mailboxes/" + id + "/messages/batch")
                .then().statusCode(200).body("results.status", equalTo(List.of("done", "done", "failed", "done", "done",
                        "done", "done", "done", "failed")));
        assertThat(imapProxy.connections() - logins).as("the first batch's session, pooled").isZero();
        assertThat(inbox.getMessageCount()).isZero();
        assertThat(archive.getMessageCount()).isZero();
        assertThat(Mailboxes.folder(mail, address, "Deleted Items").getMessageCount()).isEqualTo(7);
    }

    @Test
    void shouldAskForReconnectWhenTheMailboxNeedsIt() throws Exception {
        Mailboxes.append(inbox, "stuck", "x", null);
        pass();
        String messageId = firstId();
        sql.execute("update mailbox set state = 'REAUTH_REQUIRED', state_reason = 'revoked' where id = ?", id);

        given().header("Authorization", bearer).contentType("application/json").body("{\"seen\": true}")
                .patch("/api/v1/mailboxes/" + id + "/messages/" + messageId)
                .then().statusCode(409).contentType("application/problem+json")
                .body("code", equalTo("reauth_required"));
    }

    private String firstId() {
        return given().header("Authorization", bearer).get("/api/v1/mailboxes/" + id + "/messages").then()
                .extract().path("items[0].id");
    }

    private String idOf(String subject) throws SQLException {
        return sql.text("select id from message where mailbox_id = ? and subject = ?", id, subject);
    }
}
