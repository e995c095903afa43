package dev.mailsync.oauth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.time.Duration;
import java.util.UUID;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.mailsync.support.ConnectFlows;
import dev.mailsync.support.FakeEntra;
import dev.mailsync.support.FakeGraph;
import dev.mailsync.support.MailboxTestBase;
import dev.mailsync.support.MailsyncTest;
import dev.mailsync.support.TestUsers;
import io.restassured.response.ValidatableResponse;

/**
 * After connecting, Microsoft Graph's {@code /me} gives the mailbox's name and primary address; the id_token's stay
 * when Graph cannot say, and connecting never fails because of Graph.
 */
@MailsyncTest
class GraphProfileTest extends MailboxTestBase {

    static final String SIGNED_IN = "alex.wilber@contoso.example";

    String bearer;

    @BeforeEach
    void user() {
        bearer = TestUsers.bearer("profile-" + UUID.randomUUID());
        fake.nextUser(SIGNED_IN, "Alex (id_token)");
    }

    @Test
    void shouldTakeNameAndPrimaryAddressFromGraph() {
        graph.profile(SIGNED_IN, new FakeGraph.Profile(FakeEntra.objectIdOf(SIGNED_IN), "Alex Wilber",
                "Alex.Wilber@Contoso.example", "alexw@contoso.onmicrosoft.example"));

        connect().body("displayName", equalTo("Alex Wilber")).body("address", equalTo("alex.wilber@contoso.example"));

        assertThat(graph.requests()).isEqualTo(1);
    }

    @Test
    void shouldTakeTheUserPrincipalNameWhenGraphHasNoMail() {
        graph.profile(SIGNED_IN, new FakeGraph.Profile(FakeEntra.objectIdOf(SIGNED_IN), "Alex Wilber", null,
                "alexw@contoso.onmicrosoft.example"));

        String id = connect().body("address", equalTo("alexw@contoso.onmicrosoft.example")).extract().path("id");

        // reconnecting asks again: the id_token's address first, then Graph's
        String again = connect().body("address", equalTo("alexw@contoso.onmicrosoft.example")).extract().path("id");
        assertThat(again).isEqualTo(id);
    }

    @Test
    void shouldKeepTheIdTokensProfileWhenGraphFails() {
        graph.failNextRequests(1, 503);

        connect().body("displayName", equalTo("Alex (id_token)")).body("address", equalTo(SIGNED_IN));
    }

    @Test
    void shouldNotWaitForASlowGraph() {
        graph.profile(SIGNED_IN, new FakeGraph.Profile(FakeEntra.objectIdOf(SIGNED_IN), "Too Late", null, null));
        graph.delay(Duration.ofSeconds(10)); // mailsync.microsoft.profile-timeout is 5 s
        long started = System.nanoTime();

        connect().body("displayName", equalTo("Alex (id_token)")).body("address", equalTo(SIGNED_IN));

        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
        assertThat(graph.requests()).isEqualTo(1);
    }

    @Test
    void shouldIgnoreAnAnswerAboutAnotherAccount() {
        graph.profile(SIGNED_IN, new FakeGraph.Profile(FakeEntra.objectIdOf("someone.else@contoso.example"),
                "Someone Else", "someone.else@contoso.example", null));

        connect().body("displayName", equalTo("Alex (id_token)")).body("address", equalTo(SIGNED_IN));
    }

    @Test
    void shouldConnectWithoutGraphConsentFromTheIdToken() throws Exception {
        fake.consentOutlookOnlyNext();

        String id = connect().body("displayName", equalTo("Alex (id_token)")).body("address", equalTo(SIGNED_IN))
                .body("state", equalTo("active")).extract().path("id");

        assertThat(graph.requests()).isZero();
        // remembered, so that sending does not ask the token endpoint again
        assertThat(sql.count("select count(*) from mailbox where id = ?::uuid and graph_consent_missing_at is not null",
                id)).isEqualTo(1);
    }

    private ValidatableResponse connect() {
        return ConnectFlows.connect(bearer).then().statusCode(201);
    }
}
