package dev.mailsync.message;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import jakarta.inject.Inject;

import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.junit.jupiter.api.Test;

import dev.mailsync.support.Urls;
import dev.mailsync.support.Mailboxes;
import dev.mailsync.support.TestUsers;
import dev.mailsync.support.MailsyncTest;
import dev.mailsync.support.ConnectedMailboxTestBase;
import io.restassured.path.json.JsonPath;

/**
 * The HTML of a message detail as a browser gets it: remote images held back until asked for, inline images and
 * downloads through signed URLs that need no bearer token, and sanitising bounded in memory for large bodies.
 */
@MailsyncTest
class MessageHtmlTest extends ConnectedMailboxTestBase {

    private static final byte[] PNG = Base64.getDecoder().decode(
            "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==");

    @Inject
    SignedLinks links;

    @Inject
    HtmlBodies bodies;

    MessageHtmlTest() {
        super("html");
    }

    @Test
    void shouldHoldRemoteImagesBackUntilTheReaderAsksForThem() throws Exception {
        String messageId = deliver("""
                <p>Newsletter</p>
                <img src="https://tracker.example/open.gif?u=42" width="1" height="1">
                <img src="//cdn.tracker.example/logo.png" alt="logo">
                <img src="HTTP://TRACKER.EXAMPLE/upper.gif">
                <img srcset="https://tracker.example/a.png 1x, https://tracker.example/b.png 2x">
                <img srcset="javascript:alert(1) 1x">
                <table background="https://tracker.example/bg.png"><tr><td background="http://tracker.example/td.png">
                cell</td></tr></table>
                <img src="data:image/png;base64,iVBORw0KGgo=" alt="inline data">
                <a href="https://example.org/article">read</a>
                """);
        String path = "/api/v1/mailboxes/" + id + "/messages/" + messageId;

        Document blocked = html(given().header("Authorization", bearer).get(path).then().statusCode(200).extract()
                .jsonPath().getString("html"));
        for (Element e : blocked.getAllElements()) {
            for (String attribute : List.of("src", "srcset", "background")) {
                assertThat(e.attr(attribute)).as("%s of %s", attribute, e.tagName())
                        .doesNotContainIgnoringCase("tracker");
            }
        }
        assertThat(blocked.select("img[data-mailsync-src]").eachAttr("data-mailsync-src")).containsExactly(
                "https://tracker.example/open.gif?u=42", "https://cdn.tracker.example/logo.png",
                "http://TRACKER.EXAMPLE/upper.gif");
        assertThat(blocked.select("img[data-mailsync-srcset]").attr("data-mailsync-srcset"))
                .isEqualTo("https://tracker.example/a.png 1x, https://tracker.example/b.png 2x");
        assertThat(blocked.select("[data-mailsync-background]").eachAttr("data-mailsync-background"))
                .containsExactly("https://tracker.example/bg.png", "http://tracker.example/td.png");
        assertThat(blocked.select("img[alt=inline data]").attr("src")).startsWith("data:image/png");
        assertThat(blocked.select("a").attr("href")).isEqualTo("https://example.org/article");
        assertThat(blocked.html()).doesNotContain("javascript");

        Document remote = html(given().header("Authorization", bearer).queryParam("images", "remote").get(path)
                .then().statusCode(200).extract().jsonPath().getString("html"));
        assertThat(remote.select("img[src]").eachAttr("src")).contains("https://tracker.example/open.gif?u=42",
                "https://cdn.tracker.example/logo.png");
        assertThat(remote.select("[background]").eachAttr("background")).hasSize(2);
        assertThat(remote.select("[data-mailsync-src]")).isEmpty();
        given().header("Authorization", bearer).queryParam("images", "blocked").get(path).then().statusCode(200);
        given().header("Authorization", bearer).queryParam("images", "all").get(path).then().statusCode(400)
                .contentType("application/problem+json").body("errors[0].field", equalTo("images"));
    }

    @Test
    void shouldServeInlineImagesAndDownloadsThroughSignedUrlsThatNeedNoBearer() throws Exception {
        String messageId = deliverRelated();
        String path = "/api/v1/mailboxes/" + id + "/messages/" + messageId;
        JsonPath detail = given().header("Authorization", bearer).get(path).then().statusCode(200).extract().jsonPath();
        String imageUrl = html(detail.getString("html")).select("img").attr("src");
        String downloadUrl = detail.getString("attachments.find { it.filename == 'report.pdf' }.url");
        assertThat(imageUrl).startsWith("http://localhost:8080" + path + "/attachments/1?expires=")
                .contains("&signature=").isEqualTo(detail.getString("attachments[0].url"));

        // a browser: no Authorization header
        assertThat(given().get(Urls.local(imageUrl)).then().statusCode(200).contentType("image/png").extract()
                .asByteArray()).isEqualTo(PNG);
        assertThat(given().get(Urls.local(downloadUrl)).then().statusCode(200).extract().asString()).isEqualTo("%PDF-1.4");
        // bearer access keeps working; neither answers 401
        given().header("Authorization", bearer).get(path + "/attachments/2").then().statusCode(200);
        given().get(path + "/attachments/2").then().statusCode(401);

        String query = URI.create(imageUrl).getRawQuery();
        String signature = query.substring(query.indexOf("signature=") + 10);
        // the first character: the last one of unpadded base64 carries bits a lenient decoder ignores ('A' and 'B'
        // can decode to the same bytes)
        char first = signature.charAt(0);
        String tampered = Urls.local(imageUrl).replace("signature=" + signature,
                "signature=" + (first == 'A' ? 'B' : 'A') + signature.substring(1));
        refused(tampered, "invalid_signature");
        refused(Urls.local(imageUrl).replace("expires=", "expires=1"), "invalid_signature");
        refused(Urls.local(imageUrl).replace("/attachments/1?", "/attachments/2?"), "invalid_signature");
        String other = deliverRelated();
        refused(Urls.local(imageUrl).replace("/messages/" + messageId + "/", "/messages/" + other + "/"),
                "invalid_signature");
        String otherMailbox = Mailboxes.connect(fake, TestUsers.bearer("other-" + UUID.randomUUID()),
                Mailboxes.newAccount(mail));
        refused(Urls.local(imageUrl).replace(id, otherMailbox), "invalid_signature");
        refused(Urls.local(imageUrl).replaceAll("&signature=.*", "&signature="), "invalid_signature");
        long past = Instant.now().getEpochSecond() - 1;
        refused(path + "/attachments/1?expires=" + past + "&signature="
                + links.signature(UUID.fromString(id), Long.parseLong(messageId), 1, past), "link_expired");
    }

    @Test
    void shouldSanitiseLargeHtmlOneBodyAtATimeAndOnceForConcurrentReaders() throws Exception {
        // two 2 MB newsletters (the test budget is 1M characters: each must run alone), four readers each
        List<String> messages = List.of(deliver("<p>small</p>"), deliver("<p>small</p>"));
        String row = "<table><tr><td><a href=\"https://example.org/%d\"><img src=\"https://cdn.example/%d.png\"></a>"
                + "</td><td><p>Lorem ipsum dolor sit amet, <b>consectetur</b> adipiscing elit %d</p></td></tr></table>";
        StringBuilder big = new StringBuilder();
        for (int i = 0; big.length() < 2_000_000; i++) {
            big.append(String.format(row, i, i, i));
        }
        for (String m : messages) {
            sql.execute("update message set html_body = ? where id = ?", big, m);
        }
        int before = bodies.sanitised();

        ExecutorService readers = Executors.newFixedThreadPool(8);
        List<Future<String>> answers = new ArrayList<>();
        try {
            for (int i = 0; i < 8; i++) {
                String m = messages.get(i % 2);
                Callable<String> read = () -> given().header("Authorization", bearer)
                        .get("/api/v1/mailboxes/" + id + "/messages/" + m).then().statusCode(200).extract().jsonPath()
                        .getString("html");
                answers.add(readers.submit(read));
            }
            for (Future<String> answer : answers) {
                String html = answer.get();
                assertThat(html.length()).isGreaterThan(1_500_000);
                assertThat(html.contains(" src=\"https://cdn.example")).isFalse();
            }
        } finally {
            readers.shutdownNow();
        }
        // never two large bodies in DOMs at once, and each sanitised once for its four readers
        assertThat(bodies.peakInFlight()).isLessThanOrEqualTo(big.length());
        assertThat(bodies.sanitised() - before).isEqualTo(2);
    }

    private void refused(String url, String code) {
        given().get(url).then().statusCode(403).contentType("application/problem+json").body("code", equalTo(code));
    }

    private String deliverRelated() throws Exception {
        long uid = Mailboxes.appendRaw(inbox, raw("""
                From: Shop <news@shop.example>
                Subject: with a logo
                Content-Type: multipart/mixed; boundary=m

                --m
                Content-Type: multipart/related; boundary=r

                --r
                Content-Type: text/html; charset=utf-8

                <p>Hello <img src="cid:logo@shop.example"></p>
                --r
                Content-Type: image/png
                Content-ID: <logo@shop.example>
                Content-Transfer-Encoding: base64

                """ + Base64.getEncoder().encodeToString(PNG) + """

                --r--
                --m
                Content-Type: application/pdf; name=report.pdf
                Content-Disposition: attachment; filename=report.pdf

                %PDF-1.4
                --m--
                """));
        return stored(uid);
    }

    private String deliver(String html) throws Exception {
        long uid = Mailboxes.appendRaw(inbox, raw("From: Shop <news@shop.example>\nSubject: news\n"
                + "Content-Type: text/html; charset=utf-8\n\n" + html));
        return stored(uid);
    }

    private String stored(long uid) throws Exception {
        pass();
        return sql.text("select id from message where mailbox_id = ? and uid = ?", id, uid);
    }

    private static Document html(String html) {
        return Jsoup.parseBodyFragment(html);
    }

    private static byte[] raw(String text) {
        return text.replace("\n", "\r\n").getBytes(StandardCharsets.UTF_8);
    }
}
