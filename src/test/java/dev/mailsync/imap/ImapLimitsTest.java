package dev.mailsync.imap;

import static dev.mailsync.support.Management.management;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.hamcrest.Matchers.equalTo;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import jakarta.inject.Inject;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import dev.mailsync.support.ConnectedMailboxTestBase;
import dev.mailsync.support.Mailboxes;
import dev.mailsync.support.MailsyncTest;
import io.restassured.response.Response;

/**
 * Living within Exchange Online's IMAP limits, against the {@code ImapFront}: the per-mailbox connection cap (3 in
 * the tests), pooled API sessions, and throttling replies to the sync, the API and the login.
 */
@MailsyncTest
class ImapLimitsTest extends ConnectedMailboxTestBase {

    private static final int CAP = 3;

    @Inject
    ImapConnector connector;
    @Inject
    ConnectionPermits permits;

    ImapLimitsTest() {
        super("limits");
    }

    @Test
    void shouldReuseOnePooledSessionForApiOperationsAndCloseItAtDisconnect() throws Exception {
        Mailboxes.append(inbox, "one", "x", null);
        Mailboxes.append(inbox, "two", "y", null);
        pass();
        List<String> ids = messageIds();
        int logins = imapFront.logins(address);

        raw(ids.get(0)).then().statusCode(200);
        patch(ids.get(0), "{\"seen\": true}").then().statusCode(200);
        raw(ids.get(1)).then().statusCode(200);
        patch(ids.get(1), "{\"flagged\": true}").then().statusCode(200);

        assertThat(imapFront.logins(address) - logins).as("logins for four API operations").isEqualTo(1);
        assertThat(imapFront.openSessions(address)).as("the pooled session, idle").isEqualTo(1);

        given().header("Authorization", bearer).delete("/api/v1/mailboxes/" + id).then().statusCode(204);
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> imapFront.openSessions(address) == 0);
    }

    @Test
    void shouldReplaceABrokenPooledSessionAndDoTheOperationOnce() throws Exception {
        Mailboxes.append(inbox, "read me", "x", null);
        pass();
        String messageId = messageIds().get(0);
        raw(messageId).then().statusCode(200);
        int logins = imapFront.logins(address);

        imapFront.cut(address); // the server drops the idle connection
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> imapFront.openSessions(address) == 0);
        raw(messageId).then().statusCode(200).body(org.hamcrest.Matchers.containsString("Subject: read me"));
        assertThat(imapFront.logins(address) - logins).as("a fresh login replaced the broken session").isEqualTo(1);

        imapFront.cut(address);
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> imapFront.openSessions(address) == 0);
        // a write whose session broke before it changed anything is done once, on a fresh session
        patch(messageId, "{\"seen\": true}").then().statusCode(200).body("flags.seen", equalTo(true));
        assertThat(imapFront.logins(address) - logins).isEqualTo(2);
        assertThat(inbox.getMessages().get(0).isSet(jakarta.mail.Flags.Flag.SEEN)).isTrue();
    }

    @Test
    void shouldStayWithinTheCapUnderConcurrentApiCallsAndASyncPass() throws Exception {
        byte[] big = new byte[150_000];
        java.util.Arrays.fill(big, (byte) 'a');
        for (int i = 0; i < 4; i++) {
            Mailboxes.appendRaw(inbox, ("Subject: big " + i + "\r\nFrom: a@fabrikam.example\r\n\r\n"
                    + new String(big, StandardCharsets.US_ASCII).replaceAll("(.{76})", "$1\r\n"))
                    .getBytes(StandardCharsets.US_ASCII));
        }
        pass();
        List<String> ids = messageIds();
        Mailboxes.append(inbox, "new during the race", "x", null);
        imapFront.maxSessionsPerUser(CAP + 1); // as Exchange would refuse one more: the cap must keep below it
        imapProxy.throttle(1_500_000); // every download takes a while, so that they overlap
        ExecutorService callers = Executors.newFixedThreadPool(10);
        try {
            assertThat(leases.claim(UUID.fromString(id), "test")).isTrue();
            CompletableFuture<Void> sync = CompletableFuture.runAsync(() -> syncer.runPass(UUID.fromString(id),
                    "test"));
            List<Future<Integer>> calls = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                String messageId = ids.get(i % ids.size());
                calls.add(callers.submit(() -> raw(messageId).then().extract().statusCode()));
            }
            List<Integer> statuses = new ArrayList<>();
            for (Future<Integer> call : calls) {
                statuses.add(call.get());
            }
            sync.get();
            assertThat(statuses).allMatch(s -> s == 200 || s == 503);
            assertThat(statuses).filteredOn(s -> s == 200).hasSizeGreaterThanOrEqualTo(CAP);
        } finally {
            imapProxy.throttle(0);
            callers.shutdownNow();
        }
        assertThat(imapFront.peakSessions(address)).as("IMAP sessions open at once").isEqualTo(CAP);
        assertThat(imapFront.refused()).isZero();
        given().header("Authorization", bearer).get("/api/v1/mailboxes/" + id + "/sync").then()
                .body("lastError", org.hamcrest.Matchers.nullValue());
        assertThat(sql.count("select count(*) from message where mailbox_id = ?", id)).isEqualTo(5);
    }

    @Test
    void shouldBackOffTheMailboxWhenTheServerThrottlesAFetchDuringSync() throws Exception {
        Mailboxes.append(inbox, "first", "x", null);
        pass();
        String stored = messageIds().get(0);
        Mailboxes.append(inbox, "second", "x", null);
        double before = throttledTotal("sync");
        imapFront.throttle(address, "FETCH", "BAD", 299_961, false, 1);

        pass();

        Instant afterPass = Instant.now();
        Response status = given().header("Authorization", bearer).get("/api/v1/mailboxes/" + id + "/sync");
        status.then().statusCode(200).body("state", equalTo("error"))
                .body("lastError.code", equalTo("imap_throttled"));
        Instant nextRun = Instant.parse(status.path("nextRunAt"));
        assertThat(nextRun).isAfter(afterPass.plusSeconds(290));
        assertThat(throttledTotal("sync") - before).isEqualTo(1);
        assertThat(imapFront.throttled()).isPositive();

        // the backoff holds for the mailbox: a pass forced now logs in nowhere, and the API does not either
        int logins = imapFront.logins(address);
        pass();
        status = given().header("Authorization", bearer).get("/api/v1/mailboxes/" + id + "/sync");
        status.then().body("lastError.code", equalTo("imap_throttled"));
        raw(stored).then().statusCode(503).body("code", equalTo("imap_throttled"));
        assertThat(imapFront.logins(address)).isEqualTo(logins);
        assertThat(sql.count("select count(*) from imap_backoff where mailbox_id = ? and until > now() + "
                + "interval '290 seconds'", id)).isEqualTo(1);
        // push watchers ask before they connect, and cannot connect meanwhile
        assertThat(connector.backoffUntil(UUID.fromString(id))).hasValueSatisfying(
                until -> assertThat(until).isAfter(afterPass.plusSeconds(290)));
        assertThatThrownBy(() -> connector.open(UUID.fromString(id), ImapUse.PUSH))
                .isInstanceOf(ImapThrottled.class);
        assertThat(imapFront.logins(address)).isEqualTo(logins);
    }

    @Test
    void shouldAnswer503ImapBusyWhenAllConnectionsStayInUse() throws Exception {
        Mailboxes.append(inbox, "busy", "x", null);
        pass();
        String messageId = messageIds().get(0);
        List<ConnectionPermits.Permit> held = new ArrayList<>();
        try {
            for (int i = 0; i < CAP; i++) { // as long-lived watchers or passes would hold them
                held.add(permits.acquire(UUID.fromString(id), Duration.ZERO));
            }
            long started = System.nanoTime();
            raw(messageId).then().statusCode(503).contentType("application/problem+json")
                    .body("code", equalTo("imap_busy")).header("Retry-After", equalTo("5"));
            assertThat(Duration.ofNanos(System.nanoTime() - started)).as("waited mailsync.imap.permit-wait")
                    .isGreaterThanOrEqualTo(Duration.ofSeconds(2));
        } finally {
            held.forEach(ConnectionPermits.Permit::close);
        }
        raw(messageId).then().statusCode(200);
    }

    @Test
    void shouldAnswer503WithRetryAfterWhenAnApiCallIsThrottled() throws Exception {
        Mailboxes.append(inbox, "read me", "x", null);
        pass();
        String messageId = messageIds().get(0);
        double before = throttledTotal("api");
        imapFront.throttle(address, "FETCH", "NO", 120_000, true, 1);

        Response refused = raw(messageId);

        refused.then().statusCode(503).contentType("application/problem+json")
                .body("code", equalTo("imap_throttled"));
        assertThat(Long.parseLong(refused.header("Retry-After"))).isBetween(100L, 120L);
        assertThat(throttledTotal("api") - before).isEqualTo(1);
        // the next call does not reach the server: it answers from the recorded backoff
        int logins = imapFront.logins(address);
        int throttled = imapFront.throttled();
        patch(messageId, "{\"seen\": true}").then().statusCode(503).body("code", equalTo("imap_throttled"))
                .header("Retry-After", org.hamcrest.Matchers.notNullValue());
        assertThat(imapFront.logins(address)).isEqualTo(logins);
        assertThat(imapFront.throttled()).isEqualTo(throttled);
    }

    @Test
    void shouldBackOffWhenTheLoginIsThrottled() throws Exception {
        double before = throttledTotal("login");
        int logins = imapFront.logins(address);
        imapFront.throttle(address, "LOGIN", "NO", 60_000, false, 1);

        pass();

        given().header("Authorization", bearer).get("/api/v1/mailboxes/" + id + "/sync").then()
                .body("lastError.code", equalTo("imap_throttled"));
        assertThat(throttledTotal("login") - before).isEqualTo(1);
        assertThat(imapFront.logins(address)).as("the throttled login did not reach the server").isEqualTo(logins);
        assertThat(sql.count("select count(*) from imap_backoff where mailbox_id = ? and what = 'login'", id))
                .isEqualTo(1);
    }

    private List<String> messageIds() {
        return given().header("Authorization", bearer).get("/api/v1/mailboxes/" + id + "/messages").then()
                .statusCode(200).extract().path("items.id");
    }

    private Response raw(String messageId) {
        return given().header("Authorization", bearer)
                .get("/api/v1/mailboxes/" + id + "/messages/" + messageId + "/raw");
    }

    private Response patch(String messageId, String body) {
        return given().header("Authorization", bearer).contentType("application/json").body(body)
                .patch("/api/v1/mailboxes/" + id + "/messages/" + messageId);
    }

    private static double throttledTotal(String what) {
        String series = "mailsync_imap_throttled_total{what=\"" + what + "\"}";
        return management().get("/q/metrics").then().statusCode(200).extract().asString().lines()
                .filter(l -> l.startsWith(series + " "))
                .map(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).findFirst()
                .orElseThrow(() -> new AssertionError(series + " is not published"));
    }
}
