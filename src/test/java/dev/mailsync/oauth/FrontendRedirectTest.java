package dev.mailsync.oauth;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;

import java.sql.SQLException;
import java.util.UUID;


import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.mailsync.support.ConnectFlows;
import dev.mailsync.support.TestUsers;
import dev.mailsync.support.MailsyncTest;
import dev.mailsync.support.MailboxTestBase;
import dev.mailsync.support.TestProfiles;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;

/** With MAILSYNC_FRONTEND_URL set, the callback sends the browser back to the frontend. */
@MailsyncTest
@TestProfile(TestProfiles.ChangedDefaults.class)
class FrontendRedirectTest extends MailboxTestBase {

    String userId;
    String user;

    @BeforeEach
    void setUp() {
        userId = "dana-" + UUID.randomUUID();
        user = TestUsers.bearer(userId);
    }

    @Test
    void shouldRedirectToFrontendWithConnectionThatTheUserCompletes() throws SQLException {
        Response callback = ConnectFlows.signIn(user);

        String location = callback.then().statusCode(303)
                .header("Referrer-Policy", "no-referrer")
                .header("Cache-Control", "no-store")
                .extract().header("Location");
        assertThat(location).matches("https://app\\.example/settings/mail\\?tab=mail&connection=[A-Za-z0-9_-]{43}");
        assertThat(sql.count("select count(*) from mailbox where user_id = ?", userId)).isZero();

        String id = ConnectFlows.complete(user, ConnectFlows.connection(callback)).then().statusCode(201)
                .body("address", equalTo("adele.vance@contoso.example"))
                .extract().path("id");
        given().header("Authorization", user).get("/api/v1/mailboxes/" + id).then().statusCode(200);
    }

    @Test
    void shouldRedirectToFrontendWithErrorCode() {
        fake.failNextAuthorize("access_denied");

        String location = ConnectFlows.signIn(user).then().statusCode(303).extract().header("Location");

        assertThat(location).isEqualTo("https://app.example/settings/mail?tab=mail&error=access_denied");
        given().header("Authorization", user).get("/api/v1/mailboxes").then().body("", hasSize(0));
    }
}
