package dev.mailsync.oauth;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.hasSize;

import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.mailsync.support.ConnectFlows;
import dev.mailsync.support.FakeEntra;
import dev.mailsync.support.TestUsers;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/** With MAILSYNC_FRONTEND_URL set, the callback sends the browser back to the frontend. */
@QuarkusTest
@TestProfile(FrontendRedirectTest.WithFrontend.class)
class FrontendRedirectTest {

    FakeEntra fake;
    String user;

    @BeforeEach
    void setUp() {
        fake.reset();
        ConnectFlows.configureProvider(fake);
        user = TestUsers.bearer("dana-" + UUID.randomUUID());
    }

    @Test
    void shouldRedirectToFrontendWithMailboxId() {
        String location = ConnectFlows.connect(user).then().statusCode(303)
                .header("Referrer-Policy", "no-referrer")
                .extract().header("Location");

        assertThat(location).startsWith("https://app.example/settings/mail?tab=mail&mailbox=");
        String id = location.substring(location.indexOf("mailbox=") + 8);
        given().header("Authorization", user).get("/api/v1/mailboxes/" + id).then().statusCode(200);
    }

    @Test
    void shouldRedirectToFrontendWithErrorCode() {
        fake.failNextAuthorize("access_denied");

        String location = ConnectFlows.connect(user).then().statusCode(303).extract().header("Location");

        assertThat(location).isEqualTo("https://app.example/settings/mail?tab=mail&error=access_denied");
        given().header("Authorization", user).get("/api/v1/mailboxes").then().body("", hasSize(0));
    }

    public static class WithFrontend implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("mailsync.frontend-url", "https://app.example/settings/mail?tab=mail");
        }
    }
}
