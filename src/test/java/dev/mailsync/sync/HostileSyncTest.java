package dev.mailsync.sync;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;


import org.junit.jupiter.api.Test;

import com.icegreen.greenmail.store.MailFolder;

import dev.mailsync.support.HostileMail;
import dev.mailsync.support.Mailboxes;
import dev.mailsync.support.TestUsers;
import dev.mailsync.support.MailsyncTest;
import dev.mailsync.support.MailboxTestBase;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;

/**
 * A mailbox full of hostile and broken mail ({@link HostileMail}) syncs in one pass without an error, every message
 * is stored, and the API lists, reads, searches and threads it all without a 5xx.
 */
@MailsyncTest
class HostileSyncTest extends MailboxTestBase {

    @Test
    void shouldSyncListReadSearchAndThreadAMailboxOfHostileMail() throws Exception {
        String bearer = TestUsers.bearer("hostile-" + UUID.randomUUID());
        String address = Mailboxes.newAccount(mail);
        MailFolder inbox = Mailboxes.folder(mail, address, "INBOX");
        List<HostileMail.Kind> kinds = HostileMail.deliverable();
        for (HostileMail.Kind kind : kinds) {
            Mailboxes.appendRaw(inbox, kind.raw());
        }
        Mailboxes.append(inbox, "an ordinary message", "findable words", null);
        String id = Mailboxes.connect(fake, bearer, address);
        String api = "/api/v1/mailboxes/" + id;

        assertThat(leases.claim(UUID.fromString(id), "test")).isTrue();
        assertTimeoutPreemptively(Duration.ofSeconds(120), () -> syncer.runPass(UUID.fromString(id), "test"));

        given().header("Authorization", bearer).get(api + "/sync").then().statusCode(200)
                .body("state", org.hamcrest.Matchers.equalTo("idle"))
                .body("lastError", org.hamcrest.Matchers.nullValue());
        assertThat(sql.count("select count(*) from message where mailbox_id = ?", id))
                .isEqualTo(kinds.size() + 1);
        assertThat(sql.count("select count(*) from message where mailbox_id = ? and search is null", id)).as("every message indexed for search").isZero();
        assertThat(sql.count("select count(*) from message where mailbox_id = ? and parse_problems like "
                + "'%database refused%'", id)).as("none stored without content").isZero();
        assertThat(sql.text("select from_address || ' ' || message_id || ' ' || reference_ids::text || ' ' || "
                + "from_addr::text from message where mailbox_id = ? and subject = 'nulsubject'", id))
                .isEqualTo("nul@x.example ab@x.example {rs@x.example,tu@x.example} [{\"name\": \"NulName\", \"address\": \"nul@x.example\"}]");

        // every page, every message's detail
        List<String> ids = new ArrayList<>();
        String cursor = null;
        do {
            Response page = given().header("Authorization", bearer).queryParam("limit", 20)
                    .queryParam("cursor", cursor == null ? new Object[0] : new Object[] { cursor })
                    .get(api + "/messages");
            assertThat(page.statusCode()).as("a page of messages").isEqualTo(200);
            JsonPath json = page.jsonPath();
            ids.addAll(json.getList("items.id", String.class));
            cursor = json.getString("nextCursor");
        } while (cursor != null);
        assertThat(ids).hasSize(kinds.size() + 1).doesNotHaveDuplicates();
        for (String messageId : ids) {
            Response detail = given().header("Authorization", bearer).get(api + "/messages/" + messageId);
            assertThat(detail.statusCode()).as("detail of message " + messageId).isEqualTo(200);
        }
        // attachments named with line breaks, control characters and paths download under a clean name
        long named = sql.count("select id from message where mailbox_id = ? and attachments::text like "
                + "'%etc/passwd%'", id);
        for (int attachment = 1; attachment <= 4; attachment++) {
            Response download = given().header("Authorization", bearer)
                    .get(api + "/messages/" + named + "/attachments/" + attachment);
            assertThat(download.statusCode()).as("attachment " + attachment).isEqualTo(200);
            assertThat(download.header("Content-Disposition")).doesNotContain("\r", "\n", "\u0007", "/");
        }

        // searches, including words of hostile messages
        for (String q : List.of("findable", "hostile", "long chain", "\"innermost\"", "Person 999", "<<<<")) {
            Response search = given().header("Authorization", bearer).queryParam("q", q).get(api + "/messages");
            assertThat(search.statusCode()).as("search for " + q).isEqualTo(200);
        }
        assertThat(given().header("Authorization", bearer).queryParam("q", "findable").get(api + "/messages")
                .jsonPath().getList("items.id")).hasSize(1);
        // every thread, every thread's messages
        Set<String> threads = new HashSet<>();
        cursor = null;
        do {
            Response page = given().header("Authorization", bearer).queryParam("limit", 50)
                    .queryParam("cursor", cursor == null ? new Object[0] : new Object[] { cursor })
                    .get(api + "/threads");
            assertThat(page.statusCode()).as("a page of threads").isEqualTo(200);
            threads.addAll(page.jsonPath().getList("items.threadId", String.class));
            cursor = page.jsonPath().getString("nextCursor");
        } while (cursor != null);
        for (String thread : threads) {
            assertThat(given().header("Authorization", bearer).get(api + "/threads/" + thread).statusCode())
                    .as("thread " + thread).isEqualTo(200);
        }
    }
}
