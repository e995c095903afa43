package dev.mailsync.common.crypto;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.mailsync.oauth.AccessTokens;
import dev.mailsync.oauth.ReauthorizationRequired;
import dev.mailsync.support.Mailboxes;
import dev.mailsync.support.TestUsers;
import dev.mailsync.support.MailsyncTest;
import dev.mailsync.support.MailboxTestBase;

/**
 * A ciphertext is bound to its row and column: whoever can write to the database cannot move a victim's token
 * into their own mailbox (or into another column) and have the service use it. Such a value is treated like a
 * revoked grant: the mailbox needs its user to reconnect, and nothing answers 500.
 */
@MailsyncTest
class SecretBindingTest extends MailboxTestBase {

    @Inject
    AccessTokens tokens;

    String bearer;

    @BeforeEach
    void provider() {
        bearer = TestUsers.bearer("binding-" + UUID.randomUUID());
    }

    @Test
    void shouldRefuseARefreshTokenCopiedFromAnotherMailbox() throws Exception {
        String victim = Mailboxes.connect(fake, TestUsers.bearer("victim-" + UUID.randomUUID()),
                Mailboxes.newAccount(mail));
        String attacker = Mailboxes.connect(fake, bearer, Mailboxes.newAccount(mail));
        // the attacker's row gets the victim's refresh token; its access token is expired, so it is refreshed
        sql.execute("update mailbox set refresh_token = (select refresh_token from mailbox where id = ?), "
                + "access_token_expires_at = now() - interval '1 hour' where id = ?", victim, attacker);

        assertThatThrownBy(() -> tokens.accessToken(UUID.fromString(attacker)))
                .isInstanceOf(ReauthorizationRequired.class);
        given().header("Authorization", bearer).get("/api/v1/mailboxes/" + attacker).then().statusCode(200)
                .body("state", equalTo("reauth_required")).body("stateReason", containsString("cannot be decrypted"));
        given().header("Authorization", bearer).get("/api/v1/mailboxes").then().statusCode(200);
    }

    @Test
    void shouldRefuseAValueMovedToAnotherColumnOfTheSameRow() throws Exception {
        String id = Mailboxes.connect(fake, bearer, Mailboxes.newAccount(mail));
        // the (long-lived) refresh token put where the access token belongs: it must not be handed out as one
        sql.execute("update mailbox set access_token = refresh_token, access_token_expires_at = now() + interval "
                + "'1 hour' where id = ?", id);

        assertThatThrownBy(() -> tokens.accessToken(UUID.fromString(id))).isInstanceOf(ReauthorizationRequired.class);
        given().header("Authorization", bearer).get("/api/v1/mailboxes/" + id).then().statusCode(200)
                .body("state", equalTo("reauth_required"));
    }
}
