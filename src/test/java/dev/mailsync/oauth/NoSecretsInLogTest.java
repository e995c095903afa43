package dev.mailsync.oauth;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import jakarta.inject.Inject;

import org.jboss.logmanager.ExtLogRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.mailsync.common.crypto.SecretCipher;
import dev.mailsync.common.crypto.SecretColumn;
import com.icegreen.greenmail.util.GreenMail;

import dev.mailsync.support.ConnectFlows;
import dev.mailsync.support.Mailboxes;
import dev.mailsync.support.SmtpFront;
import dev.mailsync.outbox.OutboxSender;
import dev.mailsync.support.TestUsers;
import dev.mailsync.support.MailsyncTest;
import dev.mailsync.support.MailboxTestBase;

/**
 * Runs whole connect flows, sync passes and SMTP submissions with every logger at DEBUG and searches the log for
 * any secret.
 */
@MailsyncTest
class NoSecretsInLogTest extends MailboxTestBase {

    @Inject
    SecretCipher cipher;

    @Inject
    OutboxSender sender;

    final Capture capture = new Capture();
    final Logger root = Logger.getLogger("");
    Level previousLevel;

    @BeforeEach
    void captureDebugLog() {
        previousLevel = root.getLevel();
        root.setLevel(Level.FINEST);
        root.addHandler(capture);
    }

    @AfterEach
    void restore() {
        root.removeHandler(capture);
        root.setLevel(previousLevel);
    }

    @Test
    void shouldLogNoTokenDuringSyncPassesWithRefreshesAndFailures() throws Exception {
        ConnectFlows.configureProvider(fake);
        fake.accessTokenLifetime(60); // every pass refreshes (and rotates) the tokens
        String address = Mailboxes.newAccount(mail);
        Mailboxes.append(Mailboxes.folder(mail, address, "INBOX"), "hello", "x", null);
        String id = Mailboxes.connect(fake, TestUsers.bearer("erin-" + UUID.randomUUID()), address);
        String[] connected = storedTokens(id);
        pass(id);
        String[] refreshed = storedTokens(id);
        mail.setUser(address, address, "refused-token"); // IMAP refuses the login
        pass(id);
        fake.failNextTokenRequests(1, 400, "invalid_grant", null); // and then the grant dies
        pass(id);

        assertThat(fake.refreshes()).isGreaterThanOrEqualTo(2);
        String log = capture.text();
        assertThat(log).contains("Sync pass failed");
        for (String secret : List.of(connected[0], connected[1], refreshed[0], refreshed[1],
                ConnectFlows.CLIENT_SECRET)) {
            assertThat(log.lines().filter(line -> line.contains(secret)).toList()).isEmpty();
        }
    }

    @Test
    void shouldLogNoTokenWhenSendingMailOrFailingTo() throws Exception {
        ConnectFlows.configureProvider(fake);
        String address = Mailboxes.newAccount(mail);
        Mailboxes.folder(mail, address, "Sent Items");
        String bearer = TestUsers.bearer("sendy-" + UUID.randomUUID());
        String id = Mailboxes.connect(fake, bearer, address);
        String token = storedTokens(id)[0];
        for (int i = 0; i < 2; i++) {
            given().header("Authorization", bearer).contentType("application/json")
                    .body(Map.of("to", List.of(Map.of("address", "friend@fabrikam.example")), "subject", "s" + i))
                    .post("/api/v1/mailboxes/" + id + "/outbox").then().statusCode(202);
        }
        smtp.failNext(SmtpFront.Stage.AUTH, "535 5.7.3 Authentication unsuccessful", 1);
        assertThat(sender.sendDueNow()).isEqualTo(2);

        String log = capture.text();
        assertThat(log).contains("Sent outbox item").contains("5.7.3");
        String sasl = java.util.Base64.getEncoder().encodeToString(("user=" + address + "\u0001auth=Bearer " + token
                + "\u0001\u0001").getBytes(java.nio.charset.StandardCharsets.UTF_8));
        for (String secret : List.of(token, sasl, token.substring(token.length() / 2))) {
            assertThat(log.lines().filter(line -> line.contains(secret)).toList()).isEmpty();
        }
        sql.execute("delete from outbox where mailbox_id = ?", id);
    }

    private void pass(String id) {
        assertThat(leases.claim(UUID.fromString(id), "test")).isTrue();
        syncer.runPass(UUID.fromString(id), "test");
    }

    @Test
    void shouldLogNoTokenCodeVerifierConnectionOrSecret() throws SQLException {
        String bearer = TestUsers.bearer("carol-" + UUID.randomUUID());
        String intruder = TestUsers.bearer("mallory-" + UUID.randomUUID());
        ConnectFlows.configureProvider(fake);

        URI authorizationUrl = ConnectFlows.start(bearer);
        URI callbackUrl = ConnectFlows.authorize(authorizationUrl);
        String connection = ConnectFlows.connection(ConnectFlows.callback(callbackUrl).then().statusCode(200)
                .extract().response());
        Map<String, String> tokenRequest = fake.lastTokenRequest();
        String id = ConnectFlows.complete(bearer, connection).then().statusCode(201).extract().path("id");
        String[] tokens = storedTokens(id);
        String graphToken = cipher.decrypt(sql.text("select graph_token from mailbox where id = ?", id),
                SecretColumn.MAILBOX_GRAPH_TOKEN.context(id)); // obtained at connect, for the profile
        // a refused exchange, a reused state, a reused connection and another user's complete log their failures too
        fake.failNextTokenRequests(1, 400, "invalid_grant", null);
        URI refused = ConnectFlows.authorize(ConnectFlows.start(bearer));
        ConnectFlows.callback(refused).then().statusCode(400);
        ConnectFlows.callback(callbackUrl).then().statusCode(400);
        ConnectFlows.complete(bearer, connection).then().statusCode(404);
        String stolen = ConnectFlows.connection(ConnectFlows.signIn(bearer));
        ConnectFlows.complete(intruder, stolen).then().statusCode(403);

        List<String> secrets = List.of(ConnectFlows.CLIENT_SECRET, tokens[0], tokens[1], graphToken,
                tokenRequest.get("code"), tokenRequest.get("code_verifier"),
                ConnectFlows.query(callbackUrl).get("state"), ConnectFlows.query(refused).get("code"),
                connection, stolen, bearer.substring("Bearer ".length()));
        assertThat(secrets).doesNotContainNull().allSatisfy(s -> assertThat(s).hasSizeGreaterThan(8));
        String log = capture.text();
        assertThat(capture.records).as("DEBUG records were captured").isGreaterThan(20);
        assertThat(log).contains("Connect flow started").contains("discarded");
        for (String secret : secrets) {
            List<String> leaks = log.lines().filter(line -> line.contains(secret)).toList();
            assertThat(leaks).as("log lines containing a secret").isEmpty();
        }
    }

    private String[] storedTokens(String id) throws SQLException {
        return new String[] {
                cipher.decrypt(sql.text("select access_token from mailbox where id = ?",
                        id), SecretColumn.MAILBOX_ACCESS_TOKEN.context(id)),
                cipher.decrypt(sql.text("select refresh_token from mailbox where id = ?",
                        id), SecretColumn.MAILBOX_REFRESH_TOKEN.context(id)) };
    }

    /**
     * Every record of the JVM except the test harness's own: the fake identity platform (WireMock, Jetty) and
     * the test's HTTP client (RestAssured on Apache HttpClient) and the test's mail server (GreenMail).
     */
    static class Capture extends Handler {
        final StringBuilder text = new StringBuilder();
        int records;

        @Override
        public synchronized void publish(LogRecord record) {
            String logger = record.getLoggerName() == null ? "" : record.getLoggerName();
            if (logger.startsWith("com.github.tomakehurst") || logger.startsWith("wiremock")
                    || logger.startsWith("org.eclipse.jetty") || logger.startsWith("org.apache.http")
                    || logger.startsWith("com.icegreen")) {
                return;
            }
            records++;
            String message = record instanceof ExtLogRecord ext ? ext.getFormattedMessage() : record.getMessage();
            text.append(logger).append(' ').append(message).append('\n');
            if (record.getThrown() != null) {
                StringWriter trace = new StringWriter();
                record.getThrown().printStackTrace(new PrintWriter(trace));
                text.append(trace).append('\n');
            }
        }

        synchronized String text() {
            return text.toString();
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    }
}
