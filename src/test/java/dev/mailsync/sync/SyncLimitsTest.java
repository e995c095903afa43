package dev.mailsync.sync;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.mail.Session;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.icegreen.greenmail.store.MailFolder;

import dev.mailsync.support.Urls;
import dev.mailsync.support.HostileMail;
import dev.mailsync.support.Mailboxes;
import dev.mailsync.support.TestUsers;
import dev.mailsync.support.MailsyncTest;
import dev.mailsync.support.MailboxTestBase;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;

/**
 * The sync's limits, with small test values: a 2 s lease kept by the heartbeat through a slow server, bodies cut at
 * {@code max-body-size}, messages over {@code max-message-size} synced from their structure.
 */
@MailsyncTest
@TestProfile(SyncLimitsTest.SmallLimits.class)
class SyncLimitsTest extends MailboxTestBase {

    public static class SmallLimits implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("mailsync.sync.lease", "2s", "mailsync.sync.max-body-size", "10K",
                    "mailsync.sync.max-message-size", "200K");
        }
    }

    private static final Session SESSION = Session.getInstance(new Properties());

    String bearer;
    String address;
    MailFolder inbox;

    @BeforeEach
    void setUp() throws Exception {
        bearer = TestUsers.bearer("limits-" + UUID.randomUUID());
        address = Mailboxes.newAccount(mail);
        inbox = Mailboxes.folder(mail, address, "INBOX");
    }

    @AfterEach
    void fullSpeed() {
        imapProxy.throttle(0);
    }

    @Test
    void shouldKeepItsLeaseThroughAFetchLongerThanTheLease() throws Exception {
        for (int i = 1; i <= 20; i++) {
            Mailboxes.append(inbox, "slow " + i, ("line " + i + "\r\n").repeat(2_000), null);
        }
        String id = Mailboxes.connect(fake, bearer, address);
        UUID mailboxId = UUID.fromString(id);
        // a batch of 10 messages (~150 KB) takes about 2.5 s at 60 KB/s: longer than the 2 s lease
        imapProxy.throttle(60_000);
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicInteger takeovers = new AtomicInteger();
        AtomicInteger attempts = new AtomicInteger();
        Thread otherReplica = new Thread(() -> {
            while (running.get()) {
                attempts.incrementAndGet();
                // as a scheduler would: a due mailbox whose lease ran out (after the pass it is not due)
                for (UUID claimed : leases.claimDue("other-replica", 1000)) {
                    if (claimed.equals(mailboxId)) {
                        takeovers.incrementAndGet();
                    }
                    leases.release(claimed, "other-replica");
                }
                sleep(100);
            }
        });

        assertThat(leases.claim(mailboxId, "test")).isTrue();
        otherReplica.start();
        long started = System.nanoTime();
        syncer.runPass(mailboxId, "test");
        long millis = (System.nanoTime() - started) / 1_000_000;
        running.set(false);
        otherReplica.join();

        assertThat(millis).as("the pass outlived its lease").isGreaterThan(4_000);
        assertThat(attempts.get()).isGreaterThan(20);
        assertThat(takeovers.get()).as("another replica took the mailbox over").isZero();
        given().header("Authorization", bearer).get("/api/v1/mailboxes/" + id + "/sync").then()
                .body("state", equalTo("idle")).body("lastError", nullValue());
        assertThat(sql.count("select count(distinct uid) from message where mailbox_id = ?", id))
                .isEqualTo(20);
    }

    @Test
    void shouldCutBodiesAtMaxBodySizeAndKeepTheRawMessageWhole() throws Exception {
        MimeMessage m = new MimeMessage(SESSION);
        m.setSubject("long");
        MimeMultipart alternative = new MimeMultipart("alternative");
        MimeBodyPart text = new MimeBodyPart();
        text.setText("ü".repeat(30_000), "UTF-8");
        MimeBodyPart html = new MimeBodyPart();
        html.setContent("<p>" + "x".repeat(30_000) + "</p>", "text/html; charset=UTF-8");
        alternative.addBodyPart(text);
        alternative.addBodyPart(html);
        m.setContent(alternative);
        m.saveChanges();
        inbox.appendMessage(m, new jakarta.mail.Flags(), new Date());
        Mailboxes.append(inbox, "short", "short body", null);
        String id = Mailboxes.connect(fake, bearer, address);
        pass(id);

        JsonPath cut = detail(id, "long");
        assertThat(cut.getBoolean("truncated")).isTrue();
        assertThat(cut.getString("text")).isEqualTo("ü".repeat(5_120)); // 10 KiB of UTF-8
        assertThat(cut.getString("html")).startsWith("<p>xxx");
        assertThat(cut.getString("html").length()).isLessThan(10_300);
        assertThat(detail(id, "short").getBoolean("truncated")).isFalse();
        String raw = given().header("Authorization", bearer).get("/api/v1/mailboxes/" + id + "/messages/"
                + cut.getString("id") + "/raw").then().statusCode(200).extract().asString();
        assertThat(raw.length()).isGreaterThan(60_000);
    }

    @Test
    void shouldSyncAMessageOverMaxMessageSizeFromItsStructureAndDownloadItsAttachment() throws Exception {
        byte[] attachment = new byte[300_000];
        new java.util.Random(3).nextBytes(attachment);
        MimeMessage m = new MimeMessage(SESSION);
        m.setSubject("large one");
        m.setFrom("Big Sender <big@fabrikam.example>");
        MimeMultipart mixed = new MimeMultipart("mixed");
        MimeBodyPart text = new MimeBodyPart();
        text.setText("the text of a large message " + "é".repeat(20_000), "UTF-8", "plain");
        text.setHeader("Content-Transfer-Encoding", "base64");
        MimeBodyPart file = new MimeBodyPart();
        file.setDataHandler(new jakarta.activation.DataHandler(
                new jakarta.mail.util.ByteArrayDataSource(attachment, "application/pdf")));
        file.setFileName("Prüfbericht.pdf");
        mixed.addBodyPart(text);
        mixed.addBodyPart(file);
        m.setContent(mixed);
        m.saveChanges();
        m.setHeader("Message-ID", "<large@fabrikam.example>");
        inbox.appendMessage(m, new jakarta.mail.Flags(), new Date());
        String id = Mailboxes.connect(fake, bearer, address);
        int before = imapProxy.clientTranscript().length();

        pass(id);

        String sent = imapProxy.clientTranscript().substring(before);
        assertThat(sent).contains("BODYSTRUCTURE BODY.PEEK[HEADER]").contains("BODY.PEEK[1]<0.")
                .doesNotContain("BODY.PEEK[])");
        JsonPath large = detail(id, "large one");
        assertThat(large.getString("messageId")).isEqualTo("large@fabrikam.example");
        assertThat(large.getString("from[0].address")).isEqualTo("big@fabrikam.example");
        assertThat(large.getString("text")).startsWith("the text of a large message éé");
        assertThat(large.getBoolean("truncated")).isTrue();
        assertThat(large.getList("attachments.filename")).containsExactly("Prüfbericht.pdf");
        assertThat(large.getLong("attachments[0].size")).isBetween(290_000L, 310_000L);
        byte[] downloaded = given().header("Authorization", bearer).get(Urls.local(large.getString("attachments[0].url")))
                .then().statusCode(200).extract().asByteArray();
        assertThat(downloaded).isEqualTo(attachment);
        given().header("Authorization", bearer).get("/api/v1/mailboxes/" + id + "/sync").then()
                .body("lastError", nullValue());
    }

    @Test
    void shouldSyncHostileMessagesOverMaxMessageSizeFromTheirStructure() throws Exception {
        List<HostileMail.Kind> large = new ArrayList<>(HostileMail.deliverable().stream()
                .filter(k -> k.raw().length > 200 * 1024).toList());
        byte[] nested = HostileMail.all().stream().filter(k -> k.name().equals("multipart-nested-2500")).findFirst()
                .orElseThrow().raw();
        large.add(new HostileMail.Kind("nested-2500-padded", concat(("X-Pad: " + "p".repeat(250_000) + "\r\n")
                .getBytes(StandardCharsets.US_ASCII), nested)));
        for (HostileMail.Kind kind : large) {
            Mailboxes.appendRaw(inbox, kind.raw());
        }
        String id = Mailboxes.connect(fake, bearer, address);

        pass(id);

        given().header("Authorization", bearer).get("/api/v1/mailboxes/" + id + "/sync").then()
                .body("state", equalTo("idle")).body("lastError", nullValue());
        assertThat(large).hasSizeGreaterThan(15);
        assertThat(sql.count("select count(*) from message where mailbox_id = ?", id))
                .isEqualTo(large.size());
        assertThat(sql.count("select count(*) from message where mailbox_id = ? and parse_problems like "
                + "'%database refused%'", id)).isZero();
        for (String messageId : given().header("Authorization", bearer).queryParam("limit", 100)
                .get("/api/v1/mailboxes/" + id + "/messages").then().statusCode(200).extract().jsonPath()
                .getList("items.id", String.class)) {
            given().header("Authorization", bearer).get("/api/v1/mailboxes/" + id + "/messages/" + messageId)
                    .then().statusCode(200);
        }
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }

    private JsonPath detail(String id, String subject) throws Exception {
        long messageId = sql.count("select id from message where mailbox_id = ? and subject = ?", id, subject);
        return given().header("Authorization", bearer).get("/api/v1/mailboxes/" + id + "/messages/" + messageId)
                .then().statusCode(200).extract().jsonPath();
    }

    private void pass(String id) {
        UUID mailboxId = UUID.fromString(id);
        assertThat(leases.claim(mailboxId, "test")).isTrue();
        syncer.runPass(mailboxId, "test");
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
