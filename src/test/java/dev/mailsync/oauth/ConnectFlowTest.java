package dev.mailsync.oauth;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.not;

import java.net.URI;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.UUID;

import javax.sql.DataSource;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.mailsync.common.crypto.SecretCipher;
import dev.mailsync.common.crypto.SecretColumn;
import dev.mailsync.support.Sql;
import dev.mailsync.support.ConnectFlows;
import dev.mailsync.support.FakeEntra;
import dev.mailsync.support.FakeMicrosoftResource;
import dev.mailsync.support.TestUsers;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

@QuarkusTest
@WithTestResource(value = FakeMicrosoftResource.class, scope = TestResourceScope.GLOBAL)
class ConnectFlowTest {

    FakeEntra fake;

    @Inject
    DataSource dataSource;

    @Inject
    SecretCipher cipher;

    String alice;

    @BeforeEach
    void setUp() {
        fake.reset();
        ConnectFlows.configureProvider(fake);
        alice = TestUsers.bearer("alice-" + UUID.randomUUID());
    }

    @Test
    void shouldConnectMailboxThroughTheWholeFlow() {
        URI authorizationUrl = ConnectFlows.start(alice);

        Map<String, String> q = ConnectFlows.query(authorizationUrl);
        assertThat(authorizationUrl.toString()).startsWith(fake.authority() + "/contoso.example/oauth2/v2.0/authorize?");
        assertThat(q).containsEntry("client_id", ConnectFlows.CLIENT_ID)
                .containsEntry("response_type", "code")
                .containsEntry("redirect_uri", "http://localhost:8080/api/v1/mailboxes/connect/microsoft/callback")
                .containsEntry("code_challenge_method", "S256")
                .containsEntry("scope", "openid email profile offline_access "
                        + "https://outlook.office.com/IMAP.AccessAsUser.All https://outlook.office.com/SMTP.Send");
        assertThat(q.get("state")).hasSizeGreaterThanOrEqualTo(43);
        assertThat(q.get("code_challenge")).hasSize(43);

        Response callback = ConnectFlows.callback(ConnectFlows.authorize(authorizationUrl));

        callback.then().statusCode(200)
                .contentType(containsString("text/html"))
                .header("Referrer-Policy", "no-referrer")
                .body(containsString("adele.vance@contoso.example is connected"))
                .body(containsString("window.opener.postMessage"));
        Map<String, String> tokenRequest = fake.lastTokenRequest();
        assertThat(tokenRequest).containsEntry("grant_type", "authorization_code")
                .containsEntry("client_secret", ConnectFlows.CLIENT_SECRET)
                .containsEntry("redirect_uri", q.get("redirect_uri"));
        assertThat(FakeEntra.s256(tokenRequest.get("code_verifier"))).isEqualTo(q.get("code_challenge"));

        given().header("Authorization", alice).get("/api/v1/mailboxes")
                .then().statusCode(200)
                .body("", hasSize(1))
                .body("[0].provider", equalTo("microsoft"))
                .body("[0].address", equalTo("adele.vance@contoso.example"))
                .body("[0].displayName", equalTo("Adele Vance"))
                .body("[0].state", equalTo("active"))
                .body(not(containsString("at.")))
                .body(not(containsString("rt.")))
                .body(not(containsString("oken")));
    }

    @Test
    void shouldStoreTokensEncrypted() throws SQLException {
        String id = mailboxId(ConnectFlows.connect(alice));

        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("select access_token, refresh_token from mailbox where id = '" + id + "'")) {
            assertThat(rs.next()).isTrue();
            String access = rs.getString(1);
            String refresh = rs.getString(2);
            assertThat(access).startsWith("v2:" + cipher.currentKeyId() + ":").doesNotContain("at.");
            assertThat(refresh).startsWith("v2:" + cipher.currentKeyId() + ":").doesNotContain("rt.");
            assertThat(cipher.decrypt(access, SecretColumn.MAILBOX_ACCESS_TOKEN.context(id))).startsWith("at.");
            assertThat(fake.isLiveRefreshToken(cipher.decrypt(refresh, SecretColumn.MAILBOX_REFRESH_TOKEN.context(id))))
                    .isTrue();
        }
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("select client_secret from provider_settings")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).startsWith("v2:").doesNotContain(ConnectFlows.CLIENT_SECRET);
        }
    }

    @Test
    void shouldRefuseReusedState() {
        URI callbackUrl = ConnectFlows.authorize(ConnectFlows.start(alice));
        ConnectFlows.callback(callbackUrl).then().statusCode(200);

        ConnectFlows.callback(callbackUrl).then().statusCode(400)
                .body(containsString("invalid_state"));

        given().header("Authorization", alice).get("/api/v1/mailboxes").then().body("", hasSize(1));
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
        Sql.execute(dataSource, "update pending_authorization set expires_at = now() - interval '1 second'");

        ConnectFlows.callback(callbackUrl).then().statusCode(400).body(containsString("expired_state"));

        given().header("Authorization", alice).get("/api/v1/mailboxes").then().body("", hasSize(0));
        assertThat(fake.codesRedeemed()).isZero();
    }

    @Test
    void shouldReportAccessDeniedAndCreateNothing() {
        fake.failNextAuthorize("access_denied");

        ConnectFlows.connect(alice).then().statusCode(400)
                .body(containsString("access_denied"))
                .body(containsString("declined"));

        given().header("Authorization", alice).get("/api/v1/mailboxes").then().body("", hasSize(0));
    }

    @Test
    void shouldFailWhenPkceVerifierDoesNotMatch() {
        // the code of one flow brought back with the state (and so the verifier) of another
        URI first = ConnectFlows.authorize(ConnectFlows.start(alice));
        URI second = ConnectFlows.authorize(ConnectFlows.start(alice));
        String crossed = first.getRawPath() + "?code=" + ConnectFlows.query(first).get("code") + "&state="
                + ConnectFlows.query(second).get("state");

        given().urlEncodingEnabled(false).redirects().follow(false).get(crossed).then().statusCode(400)
                .body(containsString("token_exchange_failed"));

        assertThat(fake.codesRedeemed()).isZero();
        given().header("Authorization", alice).get("/api/v1/mailboxes").then().body("", hasSize(0));
    }

    @Test
    void shouldFailCleanlyWhenTokenEndpointFails() {
        fake.failNextTokenRequests(1, 500, null, null);
        ConnectFlows.connect(alice).then().statusCode(400).body(containsString("token_exchange_failed"));

        fake.failNextTokenRequests(1, 429, null, 7);
        ConnectFlows.connect(alice).then().statusCode(400).body(containsString("token_exchange_failed"));

        given().header("Authorization", alice).get("/api/v1/mailboxes").then().body("", hasSize(0));
    }

    @Test
    void shouldRelinkSameAddressInsteadOfDuplicating() throws SQLException {
        String first = mailboxId(ConnectFlows.connect(alice));
        Sql.execute(dataSource, "update mailbox set state = 'REAUTH_REQUIRED', state_reason = 'revoked' where id = '" + first + "'");
        String refreshBefore = Sql.text(dataSource, "select refresh_token from mailbox where id = '" + first + "'");

        String second = mailboxId(ConnectFlows.connect(alice));

        assertThat(second).isEqualTo(first);
        given().header("Authorization", alice).get("/api/v1/mailboxes")
                .then().body("", hasSize(1))
                .body("[0].state", equalTo("active"))
                .body("[0].stateReason", equalTo(null));
        String refreshAfter = Sql.text(dataSource, "select refresh_token from mailbox where id = '" + first + "'");
        String context = SecretColumn.MAILBOX_REFRESH_TOKEN.context(first);
        assertThat(cipher.decrypt(refreshAfter, context)).isNotEqualTo(cipher.decrypt(refreshBefore, context));
    }

    @Test
    void shouldConnectSeveralAddressesForOneUser() {
        ConnectFlows.connect(alice).then().statusCode(200);
        fake.nextUser("Megan.Bowen@Contoso.example", "Megan Bowen");
        ConnectFlows.connect(alice).then().statusCode(200);

        given().header("Authorization", alice).get("/api/v1/mailboxes")
                .then().body("", hasSize(2))
                .body("address", org.hamcrest.Matchers.hasItem("megan.bowen@contoso.example"));
    }

    @Test
    void shouldGiveMailboxToTheUserWhoStartedTheFlow() {
        String bob = TestUsers.bearer("bob-" + UUID.randomUUID());
        URI aliceFlow = ConnectFlows.authorize(ConnectFlows.start(alice));

        // whoever's browser completes it, the state names alice
        String id = mailboxId(ConnectFlows.callback(aliceFlow));

        given().header("Authorization", bob).get("/api/v1/mailboxes").then().body("", hasSize(0));
        given().header("Authorization", bob).get("/api/v1/mailboxes/" + id).then().statusCode(404);
        given().header("Authorization", alice).get("/api/v1/mailboxes/" + id).then().statusCode(200);
    }

    @Test
    void shouldFallBackToPreferredUsernameWithoutEmailClaim() {
        fake.emailClaim(false);
        fake.nextUser("grady.archie@contoso.example", "Grady Archie");

        ConnectFlows.connect(alice).then().statusCode(200);

        given().header("Authorization", alice).get("/api/v1/mailboxes")
                .then().body("[0].address", equalTo("grady.archie@contoso.example"));
    }

    @Test
    void shouldRefuseGrantWithoutRefreshToken() {
        fake.issueRefreshTokens(false);

        ConnectFlows.connect(alice).then().statusCode(400).body(containsString("offline_access_missing"));

        given().header("Authorization", alice).get("/api/v1/mailboxes").then().body("", hasSize(0));
    }

    @Test
    void shouldAskForAdministratorWhenProviderIsNotConfigured() throws SQLException {
        Sql.execute(dataSource, "delete from provider_settings");

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

    static String mailboxId(Response callback) {
        String html = callback.then().statusCode(200).extract().asString();
        int at = html.indexOf("\"mailbox\":\"") + 11;
        return html.substring(at, at + 36);
    }

}
