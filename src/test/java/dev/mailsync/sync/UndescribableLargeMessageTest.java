package dev.mailsync.sync;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Random;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import com.icegreen.greenmail.store.MailFolder;

import dev.mailsync.support.HostileMail;
import dev.mailsync.support.MailboxTestBase;
import dev.mailsync.support.Mailboxes;
import dev.mailsync.support.MailsyncTest;
import dev.mailsync.support.TestUsers;
import io.quarkus.test.junit.TestProfile;

/**
 * A message over {@code max-message-size} whose BODYSTRUCTURE makes the server drop the connection (GreenMail does
 * for broken RFC 2231 continuations) fails one pass of its folder, not every pass: it cannot be fetched whole (it
 * is too large), so the next pass stores it as listed, malformed, and the folder syncs. With
 * {@link SyncLimitsTest}'s profile (a 200 KB {@code max-message-size}), whose application start it shares.
 */
@MailsyncTest
@TestProfile(SyncLimitsTest.SmallLimits.class)
class UndescribableLargeMessageTest extends MailboxTestBase {

    @Test
    void shouldStoreALargeMessageTheServerDropsTheConnectionOverAsListed() throws Exception {
        String bearer = TestUsers.bearer("undescribable-large-" + UUID.randomUUID());
        String address = Mailboxes.newAccount(mail);
        MailFolder inbox = Mailboxes.folder(mail, address, "INBOX");
        byte[] large = padded(HostileMail.all().stream().filter(k -> k.name().equals("rfc2231-continuations-broken"))
                .findFirst().orElseThrow().raw());
        assertThat(large.length).as("over the profile's max-message-size").isGreaterThan(200 * 1024);
        Mailboxes.append(inbox, "before", "ordinary", null);
        long largeUid = Mailboxes.appendRaw(inbox, large);
        Mailboxes.append(inbox, "after", "ordinary too", null);
        String id = Mailboxes.connect(fake, bearer, address);
        UUID mailboxId = UUID.fromString(id);

        // the first pass asks for the large message's structure: GreenMail drops the connection, the pass fails
        int before = imapProxy.clientTranscript().length();
        assertThat(leases.claim(mailboxId, "test")).isTrue();
        syncer.runPass(mailboxId, "test");
        assertThat(imapProxy.clientTranscript().substring(before)).contains("UID FETCH " + largeUid + " (");
        given().header("Authorization", bearer).get("/api/v1/mailboxes/" + id + "/sync").then().statusCode(200)
                .body("lastError", notNullValue());

        // the next does not ask again: the large message is stored as listed
        before = imapProxy.clientTranscript().length();
        assertThat(leases.claim(mailboxId, "test")).isTrue();
        syncer.runPass(mailboxId, "test");
        assertThat(imapProxy.clientTranscript().substring(before)).doesNotContain("UID FETCH " + largeUid + " (");
        given().header("Authorization", bearer).get("/api/v1/mailboxes/" + id + "/sync").then().statusCode(200)
                .body("state", equalTo("idle"))
                .body("lastError", nullValue());
        assertThat(sql.count("select count(*) from message m join folder f on f.id = m.folder_id "
                + "where m.mailbox_id = ? and f.name = 'INBOX'", id)).isEqualTo(3);
        assertThat(sql.count("select count(*) from message where mailbox_id = ? and uid = ? and malformed "
                + "and parse_problems like '%dropped the connection%' and size > ?", id, largeUid, 200 * 1024))
                .isEqualTo(1);
        assertThat(sql.list("select subject || ': ' || trim(text_body) from message where mailbox_id = ? "
                + "and not malformed order by uid", id)).containsExactly("before: ordinary", "after: ordinary too");
    }

    /**
     * The hostile message with a random 300 KB attachment before its closing boundary: its broken RFC 2231 header
     * (which makes GreenMail drop the connection over its BODYSTRUCTURE) stays as it was.
     */
    private static byte[] padded(byte[] raw) {
        String message = new String(raw, StandardCharsets.ISO_8859_1);
        int end = message.lastIndexOf("--r--");
        byte[] attachment = new byte[300_000];
        new Random(7).nextBytes(attachment);
        String part = "--r\r\nContent-Type: application/octet-stream; name=\"padding.bin\"\r\n"
                + "Content-Transfer-Encoding: base64\r\n\r\n"
                + Base64.getMimeEncoder().encodeToString(attachment) + "\r\n";
        return (message.substring(0, end) + part + message.substring(end)).getBytes(StandardCharsets.ISO_8859_1);
    }
}
