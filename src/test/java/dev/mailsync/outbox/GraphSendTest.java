package dev.mailsync.outbox;

import static dev.mailsync.support.Delivered.copies;
import static dev.mailsync.support.Delivered.inFolder;
import static dev.mailsync.support.Delivered.only;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Properties;
import java.util.UUID;

import jakarta.activation.DataHandler;
import jakarta.inject.Inject;
import jakarta.mail.Message.RecipientType;
import jakarta.mail.MessagingException;
import jakarta.mail.Multipart;
import jakarta.mail.Part;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import jakarta.mail.util.ByteArrayDataSource;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import dev.mailsync.graph.GraphMail;
import dev.mailsync.graph.GraphTargets;
import dev.mailsync.support.Mailboxes;
import dev.mailsync.support.MailsyncTest;
import dev.mailsync.support.SmtpFront.Stage;

/**
 * Sending through Microsoft Graph, through the real stack: the API, the outbox in PostgreSQL, the Graph client
 * against a fake Graph that checks the bearer's resource and scopes and delivers into GreenMail (and files in Sent
 * Items) as Exchange does. The background sender is off in tests; each test runs it with
 * {@link OutboxSender#sendDueNow}.
 */
@MailsyncTest
class GraphSendTest extends OutboxTestBase {

    @Inject
    GraphMail graphMail;

    @Inject
    GraphTargets targets;

    GraphSendTest() {
        super("graph-sender");
    }

    @Test
    void shouldSwitchToGraphWhenSmtpAuthIsDisabledAndSendTheStoredBytesOnce() throws Exception {
        String sendId = send("auth disabled");
        byte[] stored = storedMime(sendId);
        int smtpSessions = smtp.scriptedSessions();
        smtp.failNext(Stage.AUTH, "535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for "
                + "the Tenant. Visit https://aka.ms/smtp_auth_disabled for more information.", 1);

        assertThat(sender.sendDueNow()).isEqualTo(1);

        String messageId = item(sendId).then().body("state", equalTo("sent")).body("attempts", equalTo(1))
                .body("transport", equalTo("graph")).extract().path("messageId");
        assertThat(sql.text("select send_transport from mailbox where id = ?", id)).isEqualTo("graph");
        assertThat(graph.mail().submitted()).singleElement().isEqualTo(stored);
        assertThat(copies(mail, friend, messageId)).isEqualTo(1);
        assertThat(raw(sentItems(messageId))).isEqualTo(stored);

        // the next message goes straight to Graph: no SMTP session at all
        String next = send("straight to graph");
        sender.sendDueNow();
        item(next).then().body("state", equalTo("sent")).body("transport", equalTo("graph"));
        assertThat(smtp.scriptedSessions() - smtpSessions).isEqualTo(1);
        assertThat(graph.mail().requests("sendMail")).isEqualTo(2);
    }

    @Test
    void shouldSendALargeMessageThroughADraftAndAnUploadSessionByteForByte() throws Exception {
        onGraph();
        byte[] large = new byte[6 * 1024 * 1024 + 777];
        new SecureRandom().nextBytes(large);
        byte[] small = new byte[20_000];
        new SecureRandom().nextBytes(small);
        // over the API's test limit (2M): queued as the API would store it, with the bytes composed here
        String sendId = queue(composed("Large through Graph", "Both files attached.", "small.bin", small,
                "Großes Archiv.zip", large));
        MimeMessage stored = new MimeMessage(null, new ByteArrayInputStream(storedMime(sendId)));

        sender.sendDueNow();

        String messageId = item(sendId).then().body("state", equalTo("sent")).body("transport", equalTo("graph"))
                .extract().path("messageId");
        assertThat(graph.mail().requests("sendMail")).isZero();
        assertThat(graph.mail().requests("createMessage")).isEqualTo(1);
        assertThat(graph.mail().requests("createUploadSession")).isEqualTo(1);
        assertThat(graph.mail().requests("upload")).isEqualTo(2); // 6 MiB in chunks of 3.75 MiB
        assertThat(graph.mail().uploadRanges().get(0)).isEqualTo("bytes 0-3932159/" + large.length);
        MimeMessage received = only(mail, friend, messageId);
        assertThat(received.getSubject()).isEqualTo("Large through Graph");
        assertThat(received.getHeader("Date")).isEqualTo(stored.getHeader("Date"));
        assertThat(received.getHeader("From")).isEqualTo(stored.getHeader("From"));
        Multipart parts = (Multipart) received.getContent();
        List<String> names = new ArrayList<>();
        for (int i = 0; i < parts.getCount(); i++) {
            Part part = parts.getBodyPart(i);
            names.add(part.getFileName());
            if ("Großes Archiv.zip".equals(part.getFileName())) {
                assertThat(part.getInputStream().readAllBytes()).isEqualTo(large);
                assertThat(part.getContentType()).startsWith("application/zip");
            }
            if ("small.bin".equals(part.getFileName())) {
                assertThat(part.getInputStream().readAllBytes()).isEqualTo(small);
            }
        }
        assertThat(names).contains("small.bin", "Großes Archiv.zip");
        assertThat(((Multipart) stored.getContent()).getBodyPart(0).getContent().toString())
                .isEqualTo(parts.getBodyPart(0).getContent().toString());
    }

    @Test
    void shouldHonourGraphsRetryAfterForTheMailbox() throws Exception {
        onGraph();
        graph.mail().failNext("sendMail", 1, 429, "ApplicationThrottled", 2);
        String sendId = send("throttled");

        sender.sendDueNow();

        item(sendId).then().body("state", equalTo("queued")).body("lastError.code", equalTo("graph_throttled"))
                .body("transport", equalTo("graph"));
        assertThat(sql.count("select count(*) from outbox where id = ? and next_attempt_at > now() + interval '1 second'",
                sendId)).isEqualTo(1);
        // made due at once, the item meets the closed gate: no request to Graph before the Retry-After ends
        due();
        sender.sendDueNow();
        assertThat(graph.mail().requests("sendMail")).isEqualTo(1);
        // ... and without counting an attempt: no request was made
        item(sendId).then().body("state", equalTo("queued")).body("lastError.code", equalTo("graph_throttled"))
                .body("attempts", equalTo(1));

        Awaitility.await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(250)).until(() -> {
            due();
            sender.sendDueNow();
            return "sent".equals(item(sendId).then().extract().path("state"));
        });
        assertThat(graph.mail().requests("sendMail")).isEqualTo(2);
        item(sendId).then().body("attempts", equalTo(2));
        assertThat(copies(mail, friend, messageIdOf(sendId))).isEqualTo(1);
    }

    @Test
    void shouldNotSendTwiceWhenGraphTookTheMailButItsAnswerWasLost() throws Exception {
        onGraph();
        String sendId = send("answer lost");
        graph.mail().acceptThenDrop(1);
        sender.sendDueNow();
        item(sendId).then().body("state", equalTo("queued")).body("lastError.code",
                equalTo("graph_connection_lost"));

        due();
        sender.sendDueNow();

        String messageId = item(sendId).then().body("state", equalTo("sent")).extract().path("messageId");
        assertThat(graph.mail().requests("sendMail")).isEqualTo(1);
        assertThat(graph.mail().requests("listSentItems")).isEqualTo(1);
        assertThat(copies(mail, friend, messageId)).isEqualTo(1);
    }

    @Test
    void shouldReconcileAReplicaKilledBetweenGraphsAcceptAndRecordingSent() throws Exception {
        onGraph();
        String sendId = send("killed after accept");
        List<OutboxStore.Claimed> claimed = store.claim("dead-replica", 10, Duration.ofMillis(200));
        assertThat(claimed).hasSize(1);
        OutboxStore.Pending pending = store.pending(UUID.fromString(sendId)).orElseThrow();
        graphMail.send(pending.mailboxId(), targets.forMailbox(pending.mailboxId()), pending.mime());
        Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20)).until(() -> sql.count(
                "select count(*) from outbox where id = ? and lease_until < now()", sendId) == 1);

        assertThat(sender.sendDueNow()).isEqualTo(1);

        String messageId = item(sendId).then().body("state", equalTo("sent")).body("attempts", equalTo(2))
                .extract().path("messageId");
        assertThat(sql.text("select server_response from outbox where id = ?", sendId)).startsWith("found in");
        assertThat(graph.mail().requests("sendMail")).isEqualTo(1);
        assertThat(copies(mail, friend, messageId)).isEqualTo(1);
    }

    @Test
    void shouldAskForAReconnectWhenSmtpAuthIsOffAndTheGrantLacksGraph() throws Exception {
        address = Mailboxes.newAccount(mail);
        fake.consentOutlookOnlyNext(); // a mailbox connected before mailsync asked for Graph
        id = Mailboxes.connect(fake, bearer, address);
        String sendId = send("no graph consent");
        smtp.failNext(Stage.AUTH, "535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for "
                + "the Mailbox.", 1);

        sender.sendDueNow();

        String message = item(sendId).then().body("state", equalTo("failed")).body("attempts", equalTo(1))
                .body("lastError.code", equalTo("graph_consent_missing")).body("transport", equalTo("graph"))
                .extract().path("lastError.message");
        assertThat(message).contains("reconnect").contains("SMTP AUTH");
        assertThat(graph.mail().requests("sendMail")).isZero();
        assertThat(copies(mail, friend, messageIdOf(sendId, "failed"))).isZero();
    }

    @Test
    void shouldFailWithClearCodesWhenGraphRefusesForGood() throws Exception {
        onGraph();
        graph.mail().failNext("sendMail", 1, 403, "ErrorSendAsDenied", null);
        String denied = send("send as denied");
        sender.sendDueNow();
        item(denied).then().body("state", equalTo("failed")).body("lastError.code", equalTo("send_as_denied"))
                .body("transport", equalTo("graph"));

        graph.mail().failNext("sendMail", 1, 404, "MailboxNotEnabledForRESTAPI", null);
        String notEnabled = send("not enabled");
        sender.sendDueNow();
        item(notEnabled).then().body("state", equalTo("failed"))
                .body("lastError.code", equalTo("graph_mailbox_not_enabled"));

        graph.mail().failNext("sendMail", 1, 503, "ServiceUnavailable", 1);
        String unavailable = send("unavailable");
        sender.sendDueNow();
        item(unavailable).then().body("state", equalTo("queued")).body("lastError.code",
                equalTo("graph_unavailable"));
        assertThat(sql.text("select reconcile::text from outbox where id = ?", unavailable)).isEqualTo("true");
    }

    /** A message as MailComposer builds it: text, then the attachments (name, bytes) in a multipart/mixed. */
    private byte[] composed(String subject, String text, Object... attachments) throws Exception {
        MimeMessage message = new MimeMessage(Session.getInstance(new Properties())) {
            @Override
            protected void updateMessageID() throws MessagingException {
                setHeader("Message-ID", "<" + UUID.randomUUID() + "@contoso.example>");
            }
        };
        message.setFrom(address);
        message.setRecipients(RecipientType.TO, friend);
        message.setSubject(subject, "UTF-8");
        message.setSentDate(new Date());
        MimeBodyPart body = new MimeBodyPart();
        body.setText(text, "UTF-8");
        MimeMultipart mixed = new MimeMultipart("mixed", body);
        for (int i = 0; i < attachments.length; i += 2) {
            MimeBodyPart part = new MimeBodyPart();
            part.setDataHandler(new DataHandler(new ByteArrayDataSource((byte[]) attachments[i + 1],
                    ((String) attachments[i]).endsWith(".zip") ? "application/zip" : "application/octet-stream")));
            part.setFileName((String) attachments[i]);
            part.setDisposition(Part.ATTACHMENT);
            mixed.addBodyPart(part);
        }
        message.setContent(mixed);
        message.saveChanges();
        return raw(message);
    }

    /** Queues the message as {@code POST .../outbox} stores it; answers the item's id. */
    private String queue(byte[] mime) throws Exception {
        String sendId = UUID.randomUUID().toString();
        String messageId = new MimeMessage(null, new ByteArrayInputStream(mime)).getMessageID();
        sql.execute("""
                insert into outbox (id, mailbox_id, request_hash, message_id, subject, to_addr, envelope_to, mime, size,
                    state)
                values (?::uuid, ?::uuid, 'test', ?, 'Large through Graph', ?::jsonb, array[?], decode(?, 'base64'), ?,
                    'queued')""", sendId, id, messageId, "[{\"address\": \"" + friend + "\"}]", friend,
                Base64.getEncoder().encodeToString(mime), mime.length);
        return sendId;
    }

    private void onGraph() throws Exception {
        sql.execute("update mailbox set send_transport = 'graph' where id = ?", id);
    }

    private String send(String subject) {
        return send(simple(subject));
    }

    private byte[] storedMime(String sendId) throws Exception {
        return Base64.getDecoder().decode(sql.text("select encode(mime, 'base64') from outbox where id = ?", sendId)
                .replaceAll("\\s", ""));
    }

    private MimeMessage sentItems(String messageId) throws Exception {
        List<MimeMessage> found = inFolder(mail, address, "Sent Items", messageId);
        if (found.isEmpty()) {
            throw new AssertionError("not in Sent Items: " + messageId);
        }
        return found.get(0);
    }

    private static byte[] raw(MimeMessage message) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        message.writeTo(out);
        return out.toByteArray();
    }
}
