package dev.mailsync.mailbox;

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

@MailsyncTest
class MailboxResourceTest extends MailboxTestBase {

    String alice;
    String bob;

    @BeforeEach
    void setUp() {
        alice = TestUsers.bearer("alice-" + UUID.randomUUID());
        bob = TestUsers.bearer("bob-" + UUID.randomUUID());
    }

    @Test
    void shouldShowOnlyTheCallersMailboxes() {
        String id = connect(alice);
        fake.nextUser("bob@fabrikam.example", "Bob");
        String bobs = connect(bob);

        given().header("Authorization", alice).get("/api/v1/mailboxes")
                .then().statusCode(200).body("", hasSize(1)).body("[0].id", equalTo(id));
        given().header("Authorization", alice).get("/api/v1/mailboxes/" + id)
                .then().statusCode(200)
                .body("id", equalTo(id))
                .body("address", equalTo("adele.vance@contoso.example"))
                .body("createdAt", org.hamcrest.Matchers.notNullValue())
                .body("updatedAt", org.hamcrest.Matchers.notNullValue());
        given().header("Authorization", alice).get("/api/v1/mailboxes/" + bobs)
                .then().statusCode(404).contentType("application/problem+json").body("code", equalTo("not_found"));
    }

    @Test
    void shouldAnswerUnknownAndForeignMailboxAlike() {
        String id = connect(alice);
        String unknown = UUID.randomUUID().toString();

        String foreign = given().header("Authorization", bob).get("/api/v1/mailboxes/" + id)
                .then().statusCode(404).extract().path("detail");
        String missing = given().header("Authorization", bob).get("/api/v1/mailboxes/" + unknown)
                .then().statusCode(404).extract().path("detail");

        assertThat(foreign.replace(id, "X")).isEqualTo(missing.replace(unknown, "X"));
        given().header("Authorization", bob).delete("/api/v1/mailboxes/" + id).then().statusCode(404);
        given().header("Authorization", alice).get("/api/v1/mailboxes/" + id).then().statusCode(200);
    }

    @Test
    void shouldDisconnectAndDeleteTokens() throws SQLException {
        String id = connect(alice);

        given().header("Authorization", alice).delete("/api/v1/mailboxes/" + id).then().statusCode(204);

        given().header("Authorization", alice).get("/api/v1/mailboxes/" + id).then().statusCode(404);
        assertThat(sql.count("select count(*) from mailbox where id = ?", id)).isZero();
    }

    @Test
    void shouldRequireBearer() {
        given().get("/api/v1/mailboxes").then().statusCode(401).contentType("application/problem+json");
    }

    private static String connect(String bearer) {
        return ConnectFlows.connectMailbox(bearer);
    }
}
