package dev.mailsync.outbox;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.mail.Flags;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.icegreen.greenmail.store.StoredMessage;

import dev.mailsync.support.Mailboxes;
import dev.mailsync.support.TestUsers;
import dev.mailsync.support.MailsyncTest;
import dev.mailsync.support.MailboxTestBase;
import dev.mailsync.support.TestProfiles;
import io.quarkus.test.junit.TestProfile;

/**
 * A server that does not file submitted mail (unlike Outlook): with append-to-sent the copy is APPENDed. Here
 * the background sender runs as in production: a POST wakes it and it sends on its own.
 */
@MailsyncTest
@TestProfile(TestProfiles.ChangedDefaults.class)
class AppendToSentTest extends MailboxTestBase {

    @AfterEach
    void tearDown() throws Exception {
        outlook.fileSentItems(true);
        sql.execute("delete from outbox");
    }

    @Test
    void shouldAppendTheSentMessageToTheSentFolderOnce() throws Exception {
        outlook.fileSentItems(false);
        String bearer = TestUsers.bearer("appender-" + UUID.randomUUID());
        String address = Mailboxes.newAccount(mail);
        Mailboxes.folder(mail, address, "INBOX");
        Mailboxes.folder(mail, address, "Sent Items");
        String id = Mailboxes.connect(fake, bearer, address);

        String sendId = given().header("Authorization", bearer).contentType("application/json")
                .body(Map.of("to", List.of(Map.of("address", "peer@fabrikam.example")), "subject", "filed by us",
                        "text", "x"))
                .post("/api/v1/mailboxes/" + id + "/outbox").then().statusCode(202).extract().path("id");
        String path = "/api/v1/mailboxes/" + id + "/outbox/" + sendId;
        await().atMost(Duration.ofSeconds(20)).until(
                () -> "sent".equals(given().header("Authorization", bearer).get(path).path("state")));

        String messageId = given().header("Authorization", bearer).get(path).path("messageId");
        List<StoredMessage> sent = Mailboxes.folder(mail, address, "Sent Items").getMessages();
        assertThat(sent).hasSize(1);
        assertThat(sent.get(0).getMimeMessage().getHeader("Message-ID")[0]).isEqualTo("<" + messageId + ">");
        assertThat(sent.get(0).isSet(Flags.Flag.SEEN)).isTrue();
    }
}
