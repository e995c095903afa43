package dev.mailsync.oauth;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.not;

import java.net.URI;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.mailsync.common.crypto.SecretCipher;
import dev.mailsync.common.crypto.SecretColumn;
import dev.mailsync.support.ConnectFlows;
import dev.mailsync.support.FakeEntra;
import dev.mailsync.support.TestUsers;
import dev.mailsync.support.MailsyncTest;
import dev.mailsync.support.MailboxTestBase;
import io.restassured.response.Response;

@MailsyncTest
class ConnectFlowTest extends MailboxTestBase {

    static final String COMPLETE = "/api/v1/mailboxes/connect/microsoft/complete";

    @Inject
    SecretCipher cipher;

    @Inject
    PendingConnections pendingConnections;

    String aliceId;
    String alice;

    @BeforeEach
    void setUp() {
        aliceId = "alice-" + UUID.randomUUID();
        alice = TestUsers.bearer(aliceId);
    }

    @Test
    void shouldConnectMailboxInTwoSteps() throws SQLException {
        URI authorizationUrl = ConnectFlows.start(alice);

        Map<String, String> q = ConnectFlows.query(authorizationUrl);
        assertThat(authorizationUrl.toString()).startsWith(fake.authority() + "/contoso.example/oauth2/v2.0/authorize?");
        assertThat(q).containsEntry("client_id", ConnectFlows.CLIENT_ID)
                .containsEntry("response_type", "code")
                .containsEntry("redirect_uri", "http://localhost:8080/api/v1/mailboxes/connect/microsoft/callback")
                .containsEntry("code_challenge_method", "S256")
                .containsEntry("scope", "openid email profile offline_access "
                        + "https://outlook.office.com/IMAP.AccessAsUser.All https://outlook.office.com/SMTP.Send "
                        + "https://graph.microsoft.com/Mail.Send https://graph.microsoft.com/Mail.Send.Shared "
                        + "https://graph.microsoft.com/User.Read https://graph.microsoft.com/Mail.ReadWrite");
        assertThat(q.get("state")).hasSizeGreaterThanOrEqualTo(43);
        assertThat(q.get("code_challenge")).hasSize(43);

        Response callback = ConnectFlows.callback(ConnectFlows.authorize(authorizationUrl));

        callback.then().statusCode(200)
                .contentType(containsString("text/html"))
                .header("Referrer-Policy", "no-referrer")
                .header("Cache-Control", "no-store")
                .header("Content-Security-Policy", containsString("default-src 'none'"))
                .body(containsString("adele.vance@contoso.example"))
                .body(containsString("window.opener.postMessage"));
        Map<String, String> tokenRequest = fake.lastTokenRequest();
        assertThat(tokenRequest).containsEntry("grant_type", "authorization_code")
                .containsEntry("client_secret", ConnectFlows.CLIENT_SECRET)
                .containsEntry("redirect_uri", q.get("redirect_uri"))
                // the code is redeemed for Outlook alone: a token request naming two resources is refused
                .containsEntry("scope", "openid email profile offline_access "
                        + "https://outlook.office.com/IMAP.AccessAsUser.All https://outlook.office.com/SMTP.Send");
        assertThat(FakeEntra.s256(tokenRequest.get("code_verifier"))).isEqualTo(q.get("code_challenge"));
        String connection = ConnectFlows.connection(callback);
        assertThat(connection).hasSize(43);
        // the callback attaches nothing: the grant waits for the user who started the flow
        assertThat(mailboxRows()).isZero();
        assertThat(pendingRows()).isEqualTo(1);
        given().header("Authorization", alice).get("/api/v1/mailboxes").then().body("", hasSize(0));

        Response completed = ConnectFlows.complete(alice, connection);

        completed.then().statusCode(201)
                .contentType("application/json")
                .header("Location", endsWith("/api/v1/mailboxes/" + completed.path("id")))
                .body("provider", equalTo("microsoft"))
                .body("address", equalTo("adele.vance@contoso.example"))
                .body("displayName", equalTo("Adele Vance"))
                .body("state", equalTo("active"))
                .body(not(containsString("at.")))
                .body(not(containsString("rt.")))
                .body(not(containsString("oken")));
        String id = completed.path("id");
        Map<String, Object> got = given().header("Authorization", alice).get("/api/v1/mailboxes/" + id)
                .then().statusCode(200).extract().jsonPath().getMap("");
        assertThat(completed.jsonPath().getMap("").keySet()).isEqualTo(got.keySet());
        given().header("Authorization", alice).get("/api/v1/mailboxes")
                .then().statusCode(200).body("", hasSize(1)).body("[0].id", equalTo(id));
        assertThat(pendingRows()).isZero();
        assertThat(sql.text("select tenant_id || '/' || object_id from mailbox where id = ?", id))
                .isEqualTo(FakeEntra.TENANT_ID + "/" + FakeEntra.objectIdOf("adele.vance@contoso.example"));
    }

    @Test
    void shouldPostTheConnectionToTheFrontendOriginOnly() {
        String page = ConnectFlows.signIn(alice).then().statusCode(200).extract().asString();

        // without a frontend URL or origin, the frontend is served from the public URL's origin
        assertThat(page).containsPattern("postMessage\\(\\{\"type\":\"mailsync.connect\",\"connection\":"
                + "\"[A-Za-z0-9_-]{43}\"\\}, \"http://localhost:8080\"\\)");
        assertThat(page).doesNotContain("\"*\"").doesNotContain("'*'");

        fake.failNextAuthorize("access_denied");
        String failed = ConnectFlows.signIn(alice).then().statusCode(400).extract().asString();
        assertThat(failed).contains("postMessage({\"type\":\"mailsync.connect\",\"error\":\"access_denied\"}, "
                + "\"http://localhost:8080\")").doesNotContain("\"*\"");
    }

    @Test
    void shouldLetOnlyTheUserWhoStartedTheFlowCompleteIt() throws SQLException {
        String bobId = "bob-" + UUID.randomUUID();
        String bob = TestUsers.bearer(bobId);
        // alice starts a flow and gets bob to open the authorization URL: bob signs in at Microsoft
        URI aliceFlow = ConnectFlows.authorize(ConnectFlows.start(alice));
        fake.nextUser("bob@fabrikam.example", "Bob");
        String connection = ConnectFlows.connection(ConnectFlows.callback(aliceFlow));

        // bob's frontend completes it with bob's token: refused, and the connection is burnt
        ConnectFlows.complete(bob, connection).then().statusCode(403)
                .contentType("application/problem+json")
                .body("code", equalTo("connection_not_yours"));
        assertThat(pendingRows()).isZero();
        // so alice, who started it, cannot take bob's mailbox either
        ConnectFlows.complete(alice, connection).then().statusCode(404)
                .contentType("application/problem+json")
                .body("code", equalTo("connection_invalid"));

        given().header("Authorization", alice).get("/api/v1/mailboxes").then().body("", hasSize(0));
        given().header("Authorization", bob).get("/api/v1/mailboxes").then().body("", hasSize(0));
        assertThat(sql.count("select count(*) from mailbox where user_id in (?, ?)", aliceId, bobId)).isZero();
    }

    @Test
    void shouldRefuseReusedConnection() {
        String connection = ConnectFlows.connection(ConnectFlows.signIn(alice));
        ConnectFlows.complete(alice, connection).then().statusCode(201);

        ConnectFlows.complete(alice, connection).then().statusCode(404)
                .contentType("application/problem+json")
                .body("code", equalTo("connection_invalid"));
        ConnectFlows.complete(alice, "x" + connection.substring(1)).then().statusCode(404)
                .body("code", equalTo("connection_invalid"));

        given().header("Authorization", alice).get("/api/v1/mailboxes").then().body("", hasSize(1));
    }

    @Test
    void shouldRefuseExpiredConnectionAndCleanUpExpiredOnes() throws SQLException {
        String connection = ConnectFlows.connection(ConnectFlows.signIn(alice));
        expirePendingConnections(aliceId);

        ConnectFlows.complete(alice, connection).then().statusCode(410)
                .contentType("application/problem+json")
                .body("code", equalTo("connection_expired"));

        assertThat(mailboxRows()).isZero();
        assertThat(pendingRows()).isZero();
        // a pending connection nobody completes is deleted once expired, by the next sign-in of anyone
        ConnectFlows.connection(ConnectFlows.signIn(alice));
        expirePendingConnections(aliceId);
        String carol = TestUsers.bearer("carol-" + UUID.randomUUID());
        ConnectFlows.connection(ConnectFlows.signIn(carol));
        assertThat(pendingRows()).isZero();
    }

    @Test
    void shouldPurgeAbandonedSignInsAndConnectionsWithTheirTokens() throws SQLException {
        ConnectFlows.connection(ConnectFlows.signIn(alice));
        ConnectFlows.start(alice);
        sql.execute("update pending_connection set expires_at = now() - interval '6 minutes' where user_id = ?",
                aliceId);
        sql.execute("update pending_authorization set expires_at = now() - interval '6 minutes' where user_id = ?",
                aliceId);

        pendingConnections.purgeExpired();

        assertThat(pendingRows()).isZero();
        assertThat(sql.count("select count(*) from pending_authorization where user_id = ?", aliceId)).isZero();
        ConnectFlows.connect(alice).then().statusCode(201);
    }

    @Test
    void shouldLetOneOfConcurrentCompletesWin() throws Exception {
        String connection = ConnectFlows.connection(ConnectFlows.signIn(alice));
        int attempts = 6;
        ExecutorService pool = Executors.newFixedThreadPool(attempts);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Integer>> statuses = new ArrayList<>();
            for (int i = 0; i < attempts; i++) {
                statuses.add(pool.submit(() -> {
                    go.await();
                    return ConnectFlows.complete(alice, connection).statusCode();
                }));
            }
            go.countDown();
            List<Integer> answered = new ArrayList<>();
            for (Future<Integer> status : statuses) {
                answered.add(status.get());
            }
            assertThat(answered).containsOnlyOnce(201).filteredOn(s -> s != 201).containsOnly(404);
        } finally {
            pool.shutdownNow();
        }
        assertThat(mailboxRows()).isEqualTo(1);
    }

    @Test
    void shouldValidateTheCompleteRequest() {
        given().header("Authorization", alice).contentType("application/json").body("{}").post(COMPLETE)
                .then().statusCode(400).contentType("application/problem+json")
                .body("code", equalTo("validation_failed")).body("errors.field", hasItem("connection"));
        given().header("Authorization", alice).contentType("application/json")
                .body(Map.of("connection", "a".repeat(101))).post(COMPLETE)
                .then().statusCode(400).body("errors.field", hasItem("connection"));
        given().header("Authorization", alice).contentType("application/json")
                .body(Map.of("connection", "not/a value")).post(COMPLETE)
                .then().statusCode(400).body("errors.field", hasItem("connection"));
        given().header("Authorization", alice).contentType("application/json").post(COMPLETE)
                .then().statusCode(400).contentType("application/problem+json");
        given().contentType("application/json").body(Map.of("connection", "abc")).post(COMPLETE)
                .then().statusCode(401).contentType("application/problem+json");
    }

    @Test
    void shouldKeepPendingTokensEncryptedAndOnlyTheHashOfTheConnection() throws SQLException {
        String connection = ConnectFlows.connection(ConnectFlows.signIn(alice));

        String where = " from pending_connection where user_id = ?";
        String access = sql.text("select access_token" + where, aliceId);
        String refresh = sql.text("select refresh_token" + where, aliceId);
        String hash = FakeEntra.s256(connection);
        assertThat(access).startsWith("v2:" + cipher.currentKeyId() + ":").doesNotContain("at.");
        assertThat(refresh).startsWith("v2:" + cipher.currentKeyId() + ":").doesNotContain("rt.");
        assertThat(cipher.decrypt(access, SecretColumn.PENDING_CONNECTION_ACCESS_TOKEN.context(hash))).startsWith("at.");
        assertThat(fake.isLiveRefreshToken(
                cipher.decrypt(refresh, SecretColumn.PENDING_CONNECTION_REFRESH_TOKEN.context(hash)))).isTrue();
        assertThat(sql.text("select connection_hash" + where, aliceId)).isEqualTo(hash);
        assertThat(sql.text("select object_id" + where, aliceId))
                .isEqualTo(FakeEntra.objectIdOf("adele.vance@contoso.example"));
    }

    @Test
    void shouldStoreTokensEncrypted() throws SQLException {
        String id = ConnectFlows.connectMailbox(alice);

        String access = sql.text("select access_token from mailbox where id = ?", id);
        String refresh = sql.text("select refresh_token from mailbox where id = ?", id);
        assertThat(access).startsWith("v2:" + cipher.currentKeyId() + ":").doesNotContain("at.");
        assertThat(refresh).startsWith("v2:" + cipher.currentKeyId() + ":").doesNotContain("rt.");
        assertThat(cipher.decrypt(access, SecretColumn.MAILBOX_ACCESS_TOKEN.context(id))).startsWith("at.");
        assertThat(fake.isLiveRefreshToken(cipher.decrypt(refresh, SecretColumn.MAILBOX_REFRESH_TOKEN.context(id))))
                .isTrue();
        assertThat(sql.text("select client_secret from provider_settings"))
                .startsWith("v2:").doesNotContain(ConnectFlows.CLIENT_SECRET);
    }

    @Test
    void shouldRefuseReusedState() throws SQLException {
        URI callbackUrl = ConnectFlows.authorize(ConnectFlows.start(alice));
        ConnectFlows.callback(callbackUrl).then().statusCode(200);

        ConnectFlows.callback(callbackUrl).then().statusCode(400)
                .body(containsString("invalid_state"));

        assertThat(pendingRows()).isEqualTo(1);
        assertThat(fake.codesRedeemed()).isEqualTo(1);
    }

    @Test
    void shouldRefuseUnknownOrMissingState() {
        ConnectFlows.callback(URI.create("/api/v1/mailboxes/connect/microsoft/callback?code=abc&state=forged"))
                .then().statusCode(400).body(containsString("invalid_state"));
        given().get("/api/v1/mailboxes/connect/microsoft/callback?code=abc")
                .then().statusCode(400).body(containsString("invalid_state"));
        assertThat(fake.codesRedeemed()).isZero();
    }

    @Test
    void shouldRefuseExpiredState() throws SQLException {
        URI callbackUrl = ConnectFlows.authorize(ConnectFlows.start(alice));
        sql.execute("update pending_authorization set expires_at = now() - interval '1 second'");

        ConnectFlows.callback(callbackUrl).then().statusCode(400).body(containsString("expired_state"));

        assertThat(pendingRows()).isZero();
        assertThat(fake.codesRedeemed()).isZero();
    }

    @Test
    void shouldReportAccessDeniedAndKeepNothing() throws SQLException {
        fake.failNextAuthorize("access_denied");

        ConnectFlows.signIn(alice).then().statusCode(400)
                .body(containsString("access_denied"))
                .body(containsString("declined"));

        assertThat(pendingRows()).isZero();
    }

    @Test
    void shouldFailWhenPkceVerifierDoesNotMatch() throws SQLException {
        // the code of one flow brought back with the state (and so the verifier) of another
        URI first = ConnectFlows.authorize(ConnectFlows.start(alice));
        URI second = ConnectFlows.authorize(ConnectFlows.start(alice));
        String crossed = first.getRawPath() + "?code=" + ConnectFlows.query(first).get("code") + "&state="
                + ConnectFlows.query(second).get("state");

        given().urlEncodingEnabled(false).redirects().follow(false).get(crossed).then().statusCode(400)
                .body(containsString("token_exchange_failed"));

        assertThat(fake.codesRedeemed()).isZero();
        assertThat(pendingRows()).isZero();
    }

    @Test
    void shouldFailCleanlyWhenTokenEndpointFails() throws SQLException {
        fake.failNextTokenRequests(1, 500, null, null);
        ConnectFlows.signIn(alice).then().statusCode(400).body(containsString("token_exchange_failed"));

        fake.failNextTokenRequests(1, 429, null, 7);
        ConnectFlows.signIn(alice).then().statusCode(400).body(containsString("token_exchange_failed"));

        assertThat(pendingRows()).isZero();
    }

    @Test
    void shouldRefuseIdTokenWithoutAccountIds() throws SQLException {
        fake.accountClaims(false);

        ConnectFlows.signIn(alice).then().statusCode(400).body(containsString("invalid_id_token"));

        assertThat(pendingRows()).isZero();
    }

    @Test
    void shouldRelinkSameAccountInsteadOfDuplicating() throws SQLException {
        String first = ConnectFlows.connectMailbox(alice);
        sql.execute("update mailbox set state = 'REAUTH_REQUIRED', state_reason = 'revoked' where id = ?", first);
        String refreshBefore = sql.text("select refresh_token from mailbox where id = ?", first);

        String second = ConnectFlows.connectMailbox(alice);

        assertThat(second).isEqualTo(first);
        given().header("Authorization", alice).get("/api/v1/mailboxes")
                .then().body("", hasSize(1))
                .body("[0].state", equalTo("active"))
                .body("[0].stateReason", equalTo(null));
        String refreshAfter = sql.text("select refresh_token from mailbox where id = ?", first);
        String context = SecretColumn.MAILBOX_REFRESH_TOKEN.context(first);
        assertThat(cipher.decrypt(refreshAfter, context)).isNotEqualTo(cipher.decrypt(refreshBefore, context));
    }

    @Test
    void shouldRelinkTheAccountWhenItsEmailClaimChanged() {
        String oid = UUID.randomUUID().toString();
        fake.nextUser("adele.vance@contoso.example", "Adele Vance", oid);
        String first = ConnectFlows.connectMailbox(alice);

        fake.nextUser("adele.smith@contoso.example", "Adele Smith", oid);
        ConnectFlows.connect(alice).then().statusCode(201)
                .body("id", equalTo(first))
                .body("address", equalTo("adele.smith@contoso.example"))
                .body("displayName", equalTo("Adele Smith"));

        given().header("Authorization", alice).get("/api/v1/mailboxes")
                .then().body("", hasSize(1)).body("[0].address", equalTo("adele.smith@contoso.example"));
    }

    @Test
    void shouldNotHandAnotherAccountsSignInTheMailboxWithItsAddress() throws SQLException {
        String first = ConnectFlows.connectMailbox(alice);
        String refreshBefore = sql.text("select refresh_token from mailbox where id = ?", first);

        // another account (other oid) whose email claim says the same address: an unverified claim
        fake.nextUser("adele.vance@contoso.example", "Not Adele", UUID.randomUUID().toString());
        String second = ConnectFlows.connectMailbox(alice);

        assertThat(second).isNotEqualTo(first);
        assertThat(sql.text("select refresh_token from mailbox where id = ?", first))
                .isEqualTo(refreshBefore);
        given().header("Authorization", alice).get("/api/v1/mailboxes/" + first)
                .then().body("displayName", equalTo("Adele Vance"));
    }

    @Test
    void shouldGiveALegacyMailboxItsAccountIdsOnItsNextConnect() throws SQLException {
        String first = ConnectFlows.connectMailbox(alice);
        // as connected before tid and oid were recorded
        sql.execute("update mailbox set tenant_id = null, object_id = null where id = ?", first);

        assertThat(ConnectFlows.connectMailbox(alice)).isEqualTo(first);

        assertThat(sql.text("select object_id from mailbox where id = ?", first))
                .isEqualTo(FakeEntra.objectIdOf("adele.vance@contoso.example"));
        assertThat(mailboxRows()).isEqualTo(1);
    }

    @Test
    void shouldConnectSeveralAddressesForOneUser() {
        ConnectFlows.connect(alice).then().statusCode(201);
        fake.nextUser("Megan.Bowen@Contoso.example", "Megan Bowen");
        ConnectFlows.connect(alice).then().statusCode(201).body("address", equalTo("megan.bowen@contoso.example"));

        given().header("Authorization", alice).get("/api/v1/mailboxes")
                .then().body("", hasSize(2))
                .body("address", hasItem("megan.bowen@contoso.example"));
    }

    @Test
    void shouldFallBackToPreferredUsernameWithoutEmailClaim() {
        fake.emailClaim(false);
        fake.nextUser("grady.archie@contoso.example", "Grady Archie");

        ConnectFlows.connect(alice).then().statusCode(201).body("address", equalTo("grady.archie@contoso.example"));
    }

    @Test
    void shouldRefuseGrantWithoutRefreshToken() throws SQLException {
        fake.issueRefreshTokens(false);

        ConnectFlows.signIn(alice).then().statusCode(400).body(containsString("offline_access_missing"));

        assertThat(pendingRows()).isZero();
    }

    @Test
    void shouldAskForAdministratorWhenProviderIsNotConfigured() throws SQLException {
        sql.execute("delete from provider_settings");

        given().header("Authorization", alice).post("/api/v1/mailboxes/connect/microsoft")
                .then().statusCode(409)
                .contentType("application/problem+json")
                .body("code", equalTo("provider_not_configured"))
                .body("detail", containsString("administrator"));
    }

    @Test
    void shouldRequireBearerToStart() {
        given().post("/api/v1/mailboxes/connect/microsoft").then().statusCode(401)
                .contentType("application/problem+json");
    }

    private long mailboxRows() throws SQLException {
        return sql.count("select count(*) from mailbox where user_id = ?", aliceId);
    }

    private long pendingRows() throws SQLException {
        return sql.count("select count(*) from pending_connection where user_id = ?", aliceId);
    }

    private void expirePendingConnections(String userId) throws SQLException {
        sql.execute("update pending_connection set expires_at = now() - interval '1 second' where user_id = ?", userId);
    }
}
