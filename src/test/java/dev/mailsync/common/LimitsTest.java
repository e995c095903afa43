package dev.mailsync.common;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;


import dev.mailsync.common.db.QueryLimiter;
import dev.mailsync.support.Mailboxes;
import dev.mailsync.support.TestUsers;
import dev.mailsync.support.MailsyncTest;
import dev.mailsync.support.MailboxTestBase;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.ValidatableResponse;

/**
 * Per-user rate limits (429 with Retry-After) and the bounded waits of the API's database reads (503 with
 * Retry-After), with small limits of its own.
 */
@MailsyncTest
@TestProfile(LimitsTest.SmallLimits.class)
class LimitsTest extends MailboxTestBase {

    @Inject
    QueryLimiter limiter;

    @Inject
    DataSource dataSource;

    @Test
    void shouldLimitConnectFlowsPerUser() {
        String alice = TestUsers.bearer("limits-" + UUID.randomUUID());
        for (int i = 0; i < 2; i++) {
            given().header("Authorization", alice).post("/api/v1/mailboxes/connect/microsoft").then().statusCode(200);
        }
        assertRateLimited(given().header("Authorization", alice).post("/api/v1/mailboxes/connect/microsoft").then());
        given().header("Authorization", TestUsers.bearer("limits-" + UUID.randomUUID()))
                .post("/api/v1/mailboxes/connect/microsoft").then().statusCode(200); // others are not affected
    }

    @Test
    void shouldLimitRequestedSyncPassesAndSendingPerUser() {
        String bob = TestUsers.bearer("limits-" + UUID.randomUUID());
        String id = Mailboxes.connect(fake, bob, Mailboxes.newAccount(mail));
        String sync = "/api/v1/mailboxes/" + id + "/sync";
        given().header("Authorization", bob).post(sync).then().statusCode(202);
        given().header("Authorization", bob).post(sync).then().statusCode(202);
        assertRateLimited(given().header("Authorization", bob).post(sync).then());

        Map<String, Object> message = Map.of("to", List.of(Map.of("address", "friend@fabrikam.example")),
                "subject", "limits", "text", "hello");
        String outbox = "/api/v1/mailboxes/" + id + "/outbox";
        for (int i = 0; i < 2; i++) {
            given().header("Authorization", bob).contentType("application/json").body(message).post(outbox)
                    .then().statusCode(202);
        }
        assertRateLimited(given().header("Authorization", bob).contentType("application/json").body(message)
                .post(outbox).then());
        // the queued mail must not reach other tests' sender runs (they share the database)
        given().header("Authorization", bob).delete("/api/v1/mailboxes/" + id).then().statusCode(204);
    }

    @Test
    void shouldAnswer503WhenNoTurnComesWithinTheQueryWait() throws Exception {
        String carol = TestUsers.bearer("limits-" + UUID.randomUUID());
        String id = Mailboxes.connect(fake, carol, Mailboxes.newAccount(mail));
        CountDownLatch holding = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Thread reader = new Thread(() -> limiter.run(() -> { // the only permit, held
            holding.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }));
        reader.start();
        try {
            assertThat(holding.await(5, TimeUnit.SECONDS)).isTrue();
            long started = System.nanoTime();
            given().header("Authorization", carol).get("/api/v1/mailboxes/" + id + "/messages").then()
                    .statusCode(503).contentType("application/problem+json").header("Retry-After", "1")
                    .body("code", equalTo("busy"));
            assertThat(System.nanoTime() - started).isLessThan(TimeUnit.SECONDS.toNanos(3));
        } finally {
            release.countDown();
            reader.join();
        }
        given().header("Authorization", carol).get("/api/v1/mailboxes/" + id + "/messages").then().statusCode(200);
    }

    @Test
    void shouldCancelAnApiQueryThatRunsPastTheStatementTimeout() throws Exception {
        String dave = TestUsers.bearer("limits-" + UUID.randomUUID());
        String id = Mailboxes.connect(fake, dave, Mailboxes.newAccount(mail));
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            c.setAutoCommit(false);
            s.execute("lock table message in access exclusive mode"); // the list's query waits behind it
            try {
                given().header("Authorization", dave).get("/api/v1/mailboxes/" + id + "/messages").then()
                        .statusCode(503).contentType("application/problem+json").header("Retry-After", "1")
                        .body("code", equalTo("query_timeout"));
            } finally {
                c.rollback();
            }
        }
        given().header("Authorization", dave).get("/api/v1/mailboxes/" + id + "/messages").then().statusCode(200);
    }

    private static void assertRateLimited(ValidatableResponse response) {
        response.statusCode(429).contentType("application/problem+json").body("code", equalTo("rate_limited"))
                .header("Retry-After", s -> Integer.parseInt(s), org.hamcrest.Matchers.greaterThanOrEqualTo(1));
    }

    public static class SmallLimits implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("mailsync.rate-limit.connect-per-minute", "2",
                    "mailsync.rate-limit.sync-per-minute", "2",
                    "mailsync.rate-limit.send-per-minute", "2",
                    "mailsync.api.query-concurrency", "1",
                    "mailsync.api.query-wait", "200ms",
                    "mailsync.api.statement-timeout", "1s");
        }
    }
}
