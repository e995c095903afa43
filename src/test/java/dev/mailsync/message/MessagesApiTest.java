package dev.mailsync.message;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import jakarta.mail.Flags;

import org.junit.jupiter.api.Test;

import com.icegreen.greenmail.util.GreenMail;

import dev.mailsync.support.Mailboxes;
import dev.mailsync.support.TestUsers;
import dev.mailsync.support.MailsyncTest;
import dev.mailsync.support.ConnectedMailboxTestBase;
import io.restassured.path.json.JsonPath;

/** The messages API over mail synced from GreenMail into PostgreSQL. */
@MailsyncTest
class MessagesApiTest extends ConnectedMailboxTestBase {

    MessagesApiTest() {
        super("reader");
    }

    @Test
    void shouldPageNewestFirstWithoutSkipsOrRepeatsWhileMailArrives() throws Exception {
        for (int i = 0; i < 30; i++) {
            Mailboxes.append(inbox, "page " + i, "x", null);
        }
        pass();
        List<String> seen = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            JsonPath page = given().header("Authorization", bearer).queryParam("limit", 7)
                    .queryParam("cursor", cursor == null ? "" : cursor)
                    .get("/api/v1/mailboxes/" + id + "/messages").then().statusCode(200).extract().jsonPath();
            seen.addAll(page.getList("items.subject"));
            cursor = page.getString("nextCursor");
            if (pages++ == 1) { // new mail arrives between pages
                Mailboxes.append(inbox, "late arrival", "x", null);
                pass();
            }
        } while (cursor != null);

        assertThat(seen.stream().filter(s -> s.startsWith("page"))).hasSize(30).doesNotHaveDuplicates();
        assertThat(seen.subList(0, 3)).containsExactly("page 29", "page 28", "page 27");
    }

    @Test
    void shouldFilterByFlagsAttachmentsAddressesAndDates() throws Exception {
        Mailboxes.append(inbox, "read one", "x", new Flags(Flags.Flag.SEEN));
        Mailboxes.append(inbox, "flagged one", "x", new Flags(Flags.Flag.FLAGGED));
        Mailboxes.appendRaw(inbox, raw("""
                From: Carol <carol@northwind.example>
                To: Dave <dave@contoso.example>, team@contoso.example
                Subject: with a file
                Message-ID: <file@northwind.example>
                Content-Type: multipart/mixed; boundary=b

                --b
                Content-Type: text/plain

                see attached
                --b
                Content-Type: application/pdf; name=report.pdf
                Content-Disposition: attachment; filename=report.pdf
                Content-Transfer-Encoding: base64

                JVBERi0xLjQK
                --b--
                """));
        pass();
        String path = "/api/v1/mailboxes/" + id + "/messages";

        given().header("Authorization", bearer).queryParam("unread", "true").get(path).then()
                .body("items.subject", hasItem("flagged one")).body("items.subject", org.hamcrest.Matchers.not(hasItem("read one")));
        given().header("Authorization", bearer).queryParam("flagged", "true").get(path).then()
                .body("items.subject", equalTo(List.of("flagged one")));
        given().header("Authorization", bearer).queryParam("hasAttachments", "true").get(path).then()
                .body("items.subject", equalTo(List.of("with a file")))
                .body("items[0].hasAttachments", equalTo(true))
                .body("items[0].from.address", equalTo("carol@northwind.example"));
        given().header("Authorization", bearer).queryParam("from", "Carol@Northwind.example").get(path).then()
                .body("items", hasSize(1));
        given().header("Authorization", bearer).queryParam("to", "team@contoso.example").get(path).then()
                .body("items", hasSize(1));
        given().header("Authorization", bearer).queryParam("since", "2999-01-01").get(path).then()
                .body("items", hasSize(0));
        given().header("Authorization", bearer).queryParam("before", "2999-01-01T00:00:00Z").get(path).then()
                .body("items", hasSize(3));
        given().header("Authorization", bearer).queryParam("folder", "Sent Items").get(path).then()
                .body("items", hasSize(0));
    }

    @Test
    void shouldSearchInSeveralLanguagesAndByAddress() throws Exception {
        Mailboxes.append(inbox, "Rechnung für März", "Bitte überweisen Sie den Betrag bis Freitag.", null);
        Mailboxes.append(inbox, "Invoice for March", "Please pay the amount by Friday.", null);
        Mailboxes.append(inbox, "Réunion", "La réunion est reportée à jeudi.", null);
        pass();
        String path = "/api/v1/mailboxes/" + id + "/messages";

        given().header("Authorization", bearer).queryParam("q", "überweisen").get(path).then()
                .body("items.subject", equalTo(List.of("Rechnung für März")));
        given().header("Authorization", bearer).queryParam("q", "invoice friday").get(path).then()
                .body("items.subject", equalTo(List.of("Invoice for March")));
        given().header("Authorization", bearer).queryParam("q", "réunion").get(path).then()
                .body("items.subject", equalTo(List.of("Réunion")));
        given().header("Authorization", bearer).queryParam("q", "sender@fabrikam.example").get(path).then()
                .body("items", hasSize(3));
        // a sender's name is searchable; the address lists' JSON keys are not words of the messages
        given().header("Authorization", bearer).queryParam("q", "sender name").get(path).then()
                .body("items", hasSize(3));
        given().header("Authorization", bearer).queryParam("q", "address").get(path).then()
                .body("items", hasSize(0));
        given().header("Authorization", bearer).queryParam("q", "name").get(path).then()
                .body("items", hasSize(3));
        given().header("Authorization", bearer).queryParam("q", "\"unbalanced (quote -").get(path).then()
                .statusCode(200);
    }

    @Test
    void shouldServeSanitizedHtmlWithAttachmentUrls() throws Exception {
        Mailboxes.appendRaw(inbox, raw("""
                From: Mallory <m@evil.example>
                To: someone@contoso.example
                Subject: xss
                Message-ID: <xss@evil.example>
                List-Unsubscribe: <mailto:unsub@evil.example>
                Content-Type: multipart/related; boundary=r

                --r
                Content-Type: text/html; charset=utf-8

                <p onclick="steal()">Hi <b>there</b></p>
                <script>alert(1)</script>
                <a href="javascript:alert(2)">click</a>
                <a href="https://example.org/ok">ok</a>
                <img src="x" onerror="alert(3)">
                <img src="cid:logo@evil.example">
                <iframe src="https://evil.example"></iframe>
                <form action="https://evil.example"><input name=p></form>
                <svg onload="alert(4)"></svg>
                <div style="background:url(javascript:alert(5))">styled</div>
                --r
                Content-Type: image/png
                Content-ID: <logo@evil.example>
                Content-Transfer-Encoding: base64

                iVBORw0KGgo=
                --r--
                """));
        pass();
        String messageId = given().header("Authorization", bearer).get("/api/v1/mailboxes/" + id + "/messages")
                .then().extract().path("items[0].id");

        JsonPath detail = given().header("Authorization", bearer)
                .get("/api/v1/mailboxes/" + id + "/messages/" + messageId).then().statusCode(200).extract().jsonPath();

        String html = detail.getString("html");
        assertThat(html).contains("<b>there</b>", "https://example.org/ok")
                .doesNotContainIgnoringCase("<script").doesNotContainIgnoringCase("onclick")
                .doesNotContainIgnoringCase("onerror").doesNotContainIgnoringCase("javascript:")
                .doesNotContainIgnoringCase("<iframe").doesNotContainIgnoringCase("<form")
                .doesNotContainIgnoringCase("<svg").doesNotContainIgnoringCase("onload")
                .doesNotContain("cid:")
                .contains("/api/v1/mailboxes/" + id + "/messages/" + messageId + "/attachments/1");
        assertThat(detail.getString("listUnsubscribe")).isEqualTo("<mailto:unsub@evil.example>");
        assertThat(detail.getString("messageId")).isEqualTo("xss@evil.example");
        assertThat(detail.getString("attachments[0].contentId")).isEqualTo("logo@evil.example");
    }

    @Test
    void shouldGroupThreadsAcrossFolders() throws Exception {
        Mailboxes.appendRaw(inbox, raw("""
                From: a@fabrikam.example
                Subject: Plan
                Message-ID: <root@fabrikam.example>
                Date: Mon, 23 Nov 2026 09:00:00 +0000

                first
                """));
        Mailboxes.appendRaw(Mailboxes.folder(mail, address, "Sent Items"), raw("""
                From: me@contoso.example
                Subject: Re: Plan
                Message-ID: <reply@contoso.example>
                In-Reply-To: <root@fabrikam.example>
                References: <root@fabrikam.example>

                second
                """));
        Mailboxes.append(inbox, "Unrelated", "x", null);
        pass();

        JsonPath threads = given().header("Authorization", bearer).get("/api/v1/mailboxes/" + id + "/threads")
                .then().statusCode(200).extract().jsonPath();
        assertThat(threads.getList("items.messages", Integer.class)).containsExactlyInAnyOrder(2, 1);
        String threadId = threads.getString("items.find { it.messages == 2 }.threadId");

        given().header("Authorization", bearer).get("/api/v1/mailboxes/" + id + "/threads/" + threadId)
                .then().statusCode(200)
                .body("messages.subject", equalTo(List.of("Plan", "Re: Plan")))
                .body("messages.folder", equalTo(List.of("INBOX", "Sent Items")));

        // the list's items (JSON built by PostgreSQL) read exactly like the same messages elsewhere (Jackson)
        List<Map<String, Object>> listed = given().header("Authorization", bearer).queryParam("folder", "INBOX")
                .get("/api/v1/mailboxes/" + id + "/messages").then().statusCode(200).extract().jsonPath()
                .getList("items");
        Map<String, Object> inThread = given().header("Authorization", bearer)
                .get("/api/v1/mailboxes/" + id + "/threads/" + threadId).then().extract().jsonPath()
                .getMap("messages[0]");
        assertThat(listed).contains(inThread);
        assertThat(inThread.keySet()).containsExactlyInAnyOrder("id", "folder", "subject", "from", "to", "date",
                "snippet", "flags", "hasAttachments", "threadId", "size");
    }

    @Test
    void shouldRejectBadParametersAndHideOtherUsersMail() throws Exception {
        Mailboxes.append(inbox, "private", "x", null);
        pass();
        String path = "/api/v1/mailboxes/" + id + "/messages";
        given().header("Authorization", bearer).queryParam("limit", 0).queryParam("unread", "maybe")
                .queryParam("since", "yesterday").queryParam("cursor", "%%%").get(path)
                .then().statusCode(400).contentType("application/problem+json")
                .body("errors.field", equalTo(List.of("unread", "since", "limit", "cursor")));
        given().header("Authorization", bearer).queryParam("limit", 201).get(path).then().statusCode(400);

        String messageId = given().header("Authorization", bearer).get(path).then().extract().path("items[0].id");
        String intruder = TestUsers.bearer("intruder-" + UUID.randomUUID());
        given().header("Authorization", intruder).get(path).then().statusCode(404);
        given().header("Authorization", intruder).get(path + "/" + messageId).then().statusCode(404);
        // the intruder's own mailbox does not reach it either
        String otherAddress = Mailboxes.newAccount(mail);
        String other = Mailboxes.connect(fake, intruder, otherAddress);
        given().header("Authorization", intruder).get("/api/v1/mailboxes/" + other + "/messages/" + messageId)
                .then().statusCode(404).body("detail", containsString(messageId));
        Set<String> ids = new HashSet<>(given().header("Authorization", bearer).get(path).then().extract()
                .jsonPath().getList("items.id"));
        assertThat(ids).contains(messageId);
    }

    private static byte[] raw(String text) {
        return text.replace("\n", "\r\n").getBytes(StandardCharsets.UTF_8);
    }
}
