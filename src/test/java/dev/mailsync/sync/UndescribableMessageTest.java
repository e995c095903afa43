package dev.mailsync.sync;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.UUID;

import org.junit.jupiter.api.Test;

import com.icegreen.greenmail.store.MailFolder;

import dev.mailsync.support.HostileMail;
import dev.mailsync.support.MailboxTestBase;
import dev.mailsync.support.Mailboxes;
import dev.mailsync.support.MailsyncTest;
import dev.mailsync.support.TestUsers;

/**
 * One message whose BODYSTRUCTURE makes the server drop the connection (GreenMail does for broken RFC 2231
 * continuations) fails one pass of its folder, not every pass: the next fetches its batch whole, and the folder
 * and every message in it sync.
 */
@MailsyncTest
class UndescribableMessageTest extends MailboxTestBase {

    @Test
    void shouldSyncAFolderWhoseServerDropsTheConnectionOverAStructure() throws Exception {
        String bearer = TestUsers.bearer("undescribable-" + UUID.randomUUID());
        String address = Mailboxes.newAccount(mail);
        MailFolder inbox = Mailboxes.folder(mail, address, "INBOX");
        Mailboxes.append(inbox, "before", "ordinary", null);
        Mailboxes.appendRaw(inbox, HostileMail.all().stream()
                .filter(k -> k.name().equals("rfc2231-continuations-broken")).findFirst().orElseThrow().raw());
        Mailboxes.append(inbox, "after", "ordinary too", null);
        UUID id = UUID.fromString(Mailboxes.connect(fake, bearer, address));

        assertThat(leases.claim(id, "test")).isTrue();
        syncer.runPass(id, "test");
        given().header("Authorization", bearer).get("/api/v1/mailboxes/" + id + "/sync").then().statusCode(200)
                .body("lastError", org.hamcrest.Matchers.notNullValue());

        assertThat(leases.claim(id, "test")).isTrue();
        syncer.runPass(id, "test");
        given().header("Authorization", bearer).get("/api/v1/mailboxes/" + id + "/sync").then().statusCode(200)
                .body("state", org.hamcrest.Matchers.equalTo("idle"))
                .body("lastError", org.hamcrest.Matchers.nullValue());
        assertThat(sql.count("select count(*) from message m join folder f on f.id = m.folder_id "
                + "where m.mailbox_id = ? and f.name = 'INBOX'", id)).isEqualTo(3);
        assertThat(sql.count("select count(*) from message where mailbox_id = ? and subject = 'multipart' "
                + "and has_attachments", id)).isEqualTo(1);
    }
}
