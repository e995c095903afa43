package dev.mailsync.oauth;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.hamcrest.Matchers.equalTo;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.icegreen.greenmail.store.MailFolder;

import dev.mailsync.common.crypto.SecretCipher;
import dev.mailsync.common.crypto.SecretColumn;
import dev.mailsync.support.Ciphers;
import dev.mailsync.support.FakeEntra;
import dev.mailsync.support.Mailboxes;
import dev.mailsync.support.MailboxTestBase;
import dev.mailsync.support.MailsyncTest;
import dev.mailsync.support.TestUsers;
import io.quarkus.arc.Arc;
import io.quarkus.arc.ManagedContext;

/**
 * One grant, two resources: the Outlook token (IMAP, SMTP) and the Microsoft Graph token come from the same rotating
 * refresh token, one token request per resource, under the mailbox's one refresh lease.
 */
@MailsyncTest
class GraphTokensTest extends MailboxTestBase {

    @Inject
    AccessTokens tokens;

    @Inject
    SecretCipher cipher;

    String bearer;
    String address;

    @BeforeEach
    void account() {
        bearer = TestUsers.bearer("graph-" + UUID.randomUUID());
        address = Mailboxes.newAccount(mail);
    }

    @Test
    void shouldObtainAGraphTokenOnceAndCacheItEncrypted() throws Exception {
        UUID id = connectWithoutGraphToken();
        String outlook = tokens.accessToken(id);
        int refreshes = fake.refreshes();

        String graphToken = tokens.graphToken(id);

        assertThat(fake.refreshes()).isEqualTo(refreshes + 1);
        assertThat(fake.lastTokenRequest().get("scope")).isEqualTo("openid email profile offline_access "
                + "https://graph.microsoft.com/Mail.Send https://graph.microsoft.com/Mail.Send.Shared "
                + "https://graph.microsoft.com/User.Read https://graph.microsoft.com/Mail.ReadWrite");
        assertThat(fake.issued(graphToken)).contains(new FakeEntra.IssuedToken(address, FakeEntra.GRAPH,
                Set.of("Mail.Send", "Mail.Send.Shared", "User.Read", "Mail.ReadWrite")));
        assertThat(fake.issued(outlook).orElseThrow().audience()).isEqualTo(FakeEntra.OUTLOOK);
        // cached: no second request, and the Outlook token is untouched
        assertThat(tokens.graphToken(id)).isEqualTo(graphToken);
        assertThat(tokens.accessToken(id)).isEqualTo(outlook);
        assertThat(fake.refreshes()).isEqualTo(refreshes + 1);
        String stored = sql.text("select graph_token from mailbox where id = ?", id);
        assertThat(stored).startsWith("v2:").doesNotContain(graphToken);
        assertThat(cipher.decrypt(stored, SecretColumn.MAILBOX_GRAPH_TOKEN.context(id))).isEqualTo(graphToken);
        assertThat(sql.count("select count(*) from mailbox where id = ? and graph_token_expires_at > now() + "
                + "interval '50 minutes'", id)).isEqualTo(1);
        // each token serves its own resource only
        given().header("Authorization", "Bearer " + graphToken).get(graph.url() + "/v1.0/me")
                .then().statusCode(200).body("mail", equalTo(address));
        given().header("Authorization", "Bearer " + outlook).get(graph.url() + "/v1.0/me")
                .then().statusCode(401).body("error.code", equalTo("InvalidAuthenticationToken"));
    }

    @Test
    void shouldKeepTheRefreshTokenThatAGraphRefreshRotatedForTheNextOutlookRefresh() throws Exception {
        MailFolder inbox = Mailboxes.folder(mail, address, "INBOX");
        Mailboxes.append(inbox, "over IMAP", "still works", null);
        UUID id = connectWithoutGraphToken();
        String before = refreshToken(id);

        tokens.graphToken(id);

        String rotated = refreshToken(id);
        assertThat(rotated).isNotEqualTo(before);
        assertThat(fake.isLiveRefreshToken(rotated)).isTrue();
        assertThat(fake.isLiveRefreshToken(before)).isFalse();

        sql.execute("update mailbox set access_token_expires_at = now() - interval '1 minute' where id = ?", id);
        String outlook = tokens.accessToken(id);

        assertThat(fake.lastTokenRequest()).containsEntry("refresh_token", rotated)
                .containsEntry("scope", "openid email profile offline_access "
                        + "https://outlook.office.com/IMAP.AccessAsUser.All https://outlook.office.com/SMTP.Send");
        assertThat(fake.issued(outlook).orElseThrow().audience()).isEqualTo(FakeEntra.OUTLOOK);
        assertThat(fake.isLiveRefreshToken(refreshToken(id))).isTrue();
        // the refreshed Outlook token logs in to IMAP
        assertThat(leases.claim(id, "test")).isTrue();
        syncer.runPass(id, "test");
        assertThat(sql.count("select count(*) from message where mailbox_id = ? and subject = 'over IMAP'", id))
                .isEqualTo(1);
        given().header("Authorization", bearer).get("/api/v1/mailboxes/" + id)
                .then().body("state", equalTo("active"));
    }

    @Test
    void shouldReportMissingGraphConsentWithoutAskingAgainAndKeepTheMailboxActive() throws Exception {
        fake.consentOutlookOnlyNext(); // a mailbox connected before mailsync asked for Graph
        UUID id = connectWithoutGraphToken();
        String refreshToken = refreshToken(id);
        int requests = fake.tokenRequests();

        assertThatThrownBy(() -> tokens.graphToken(id)).isInstanceOf(GraphConsentMissing.class);

        assertThat(fake.tokenRequests()).isEqualTo(requests + 1);
        assertThat(fake.isLiveRefreshToken(refreshToken)).isTrue(); // refused: nothing rotated
        assertThat(sql.count("select count(*) from mailbox where id = ? and graph_consent_missing_at is not null",
                id)).isEqualTo(1);
        given().header("Authorization", bearer).get("/api/v1/mailboxes/" + id)
                .then().body("state", equalTo("active"));
        // remembered: not asked again
        assertThatThrownBy(() -> tokens.graphToken(id)).isInstanceOf(GraphConsentMissing.class);
        assertThat(fake.tokenRequests()).isEqualTo(requests + 1);
        // IMAP and SMTP keep their token
        sql.execute("update mailbox set access_token_expires_at = now() - interval '1 minute' where id = ?", id);
        assertThat(fake.issued(tokens.accessToken(id)).orElseThrow().audience()).isEqualTo(FakeEntra.OUTLOOK);

        // reconnecting with the Graph consent clears it (and gets a Graph token at once, for the profile)
        Mailboxes.connect(fake, bearer, address);
        assertThat(sql.count("select count(*) from mailbox where id = ? and graph_consent_missing_at is null", id))
                .isEqualTo(1);
        assertThat(fake.issued(tokens.graphToken(id)).orElseThrow().audience()).isEqualTo(FakeEntra.GRAPH);
    }

    @Test
    void shouldAskAgainAnHourAfterMicrosoftRefusedGraph() throws Exception {
        fake.consentOutlookOnlyNext();
        UUID id = connectWithoutGraphToken();
        assertThatThrownBy(() -> tokens.graphToken(id)).isInstanceOf(GraphConsentMissing.class);
        int requests = fake.tokenRequests();

        sql.execute("update mailbox set graph_consent_missing_at = now() - interval '61 minutes' where id = ?", id);

        assertThatThrownBy(() -> tokens.graphToken(id)).isInstanceOf(GraphConsentMissing.class);
        assertThat(fake.tokenRequests()).isEqualTo(requests + 1);
        assertThat(sql.count("select count(*) from mailbox where id = ? and graph_consent_missing_at > now() - "
                + "interval '1 minute'", id)).isEqualTo(1);
    }

    @Test
    void shouldNeverLoseARotatedRefreshTokenWhenBothResourcesRefreshAtOnce() throws Exception {
        fake.accessTokenLifetime(120); // less than the refresh skew: every call refreshes
        UUID id = connectWithoutGraphToken();
        int refreshes = fake.refreshes();
        int rounds = 8;
        CyclicBarrier start = new CyclicBarrier(2);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<List<String>>> results = new ArrayList<>();
            for (Callable<String> call : List.<Callable<String>>of(() -> tokens.accessToken(id),
                    () -> tokens.graphToken(id))) {
                results.add(pool.submit(() -> {
                    ManagedContext requestContext = Arc.container().requestContext(); // as on a worker thread
                    requestContext.activate();
                    try {
                        start.await();
                        List<String> got = new ArrayList<>();
                        for (int i = 0; i < rounds; i++) {
                            got.add(call.call());
                        }
                        return got;
                    } finally {
                        requestContext.terminate();
                    }
                }));
            }
            List<String> outlook = results.get(0).get();
            List<String> graphTokens = results.get(1).get();
            assertThat(outlook).allSatisfy(t -> assertThat(fake.issued(t).orElseThrow().audience())
                    .isEqualTo(FakeEntra.OUTLOOK));
            assertThat(graphTokens).allSatisfy(t -> assertThat(fake.issued(t).orElseThrow().audience())
                    .isEqualTo(FakeEntra.GRAPH));
        } finally {
            pool.shutdownNow();
        }
        assertThat(fake.refreshes()).isEqualTo(refreshes + 2 * rounds);
        assertThat(fake.isLiveRefreshToken(refreshToken(id))).isTrue();
        given().header("Authorization", bearer).get("/api/v1/mailboxes/" + id)
                .then().body("state", equalTo("active"));
    }

    @Test
    void shouldRewriteTheGraphTokenWhenKeysRotate() throws Exception {
        UUID id = connectWithoutGraphToken();
        String graphToken = tokens.graphToken(id);
        // as an earlier format stored it: no binding to the row
        sql.execute("update mailbox set graph_token = ? where id = ?",
                Ciphers.legacyV1(Ciphers.applicationKey(), graphToken), id);

        given().header("Authorization", TestUsers.admin("admin-rotate")).post("/api/v1/admin/encryption/rotate")
                .then().statusCode(200);

        String stored = sql.text("select graph_token from mailbox where id = ?", id);
        assertThat(stored).startsWith("v2:" + cipher.currentKeyId() + ":");
        assertThat(tokens.graphToken(id)).isEqualTo(graphToken);
    }

    /**
     * Connects the account, then forgets the Graph token that connecting obtained (for the profile) and what it
     * learnt of the consent: as a mailbox connected before mailsync used Graph.
     */
    private UUID connectWithoutGraphToken() throws Exception {
        UUID id = UUID.fromString(Mailboxes.connect(fake, bearer, address));
        sql.execute("update mailbox set graph_token = null, graph_token_expires_at = null, "
                + "graph_consent_missing_at = null where id = ?", id);
        return id;
    }

    private String refreshToken(UUID id) throws Exception {
        return cipher.decrypt(sql.text("select refresh_token from mailbox where id = ?", id),
                SecretColumn.MAILBOX_REFRESH_TOKEN.context(id));
    }
}
