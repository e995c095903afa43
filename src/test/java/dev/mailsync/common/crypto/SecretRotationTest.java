package dev.mailsync.common.crypto;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.anEmptyMap;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;

import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.mailsync.common.db.Jdbc;
import dev.mailsync.oauth.AccessTokens;
import dev.mailsync.support.Ciphers;
import dev.mailsync.support.Mailboxes;
import dev.mailsync.support.TestUsers;
import dev.mailsync.support.MailsyncTest;
import dev.mailsync.support.MailboxTestBase;

/** Rewriting stored secrets under the current key and format, so an old key can be retired. */
@MailsyncTest
class SecretRotationTest extends MailboxTestBase {

    @Inject
    Jdbc jdbc;

    @Inject
    SecretCipher applicationCipher;

    @Inject
    AccessTokens tokens;

    @Test
    void shouldRewriteValuesOfTheUnboundFormatThroughTheAdminEndpoint() throws Exception {
        String bearer = TestUsers.bearer("rotate-" + UUID.randomUUID());
        String id = Mailboxes.connect(fake, bearer, Mailboxes.newAccount(mail));
        String token = tokens.accessToken(UUID.fromString(id));
        // as an earlier version stored it: no binding to the row
        sql.execute("update mailbox set access_token = ? where id = ?",
                Ciphers.legacyV1(Ciphers.applicationKey(), token), id);
        assertThat(tokens.accessToken(UUID.fromString(id))).isEqualTo(token); // still readable

        given().header("Authorization", bearer).post("/api/v1/admin/encryption/rotate").then().statusCode(403);
        given().header("Authorization", TestUsers.admin("admin-rotate")).post("/api/v1/admin/encryption/rotate")
                .then().statusCode(200)
                .body("currentKeyId", equalTo(applicationCipher.currentKeyId()))
                .body("rewritten", greaterThanOrEqualTo(1))
                .body("remaining", anEmptyMap());

        String stored = sql.text("select access_token from mailbox where id = ?", id);
        assertThat(stored).startsWith("v2:" + applicationCipher.currentKeyId() + ":");
        assertThat(applicationCipher.decrypt(stored, SecretColumn.MAILBOX_ACCESS_TOKEN.context(id))).isEqualTo(token);
    }

    /**
     * The whole procedure: a new key becomes current with the old ones as previous keys, rotation moves every
     * value to it and reports the old keys as retired, after which a replica holding only the new key starts.
     * Then back again, so that the running application's key is the current one for the other tests.
     */
    @Test
    void shouldMoveEverythingToANewKeySoThatTheOldOnesCanBeDropped() throws Exception {
        String id = Mailboxes.connect(fake, TestUsers.bearer("rotate-" + UUID.randomUUID()), Mailboxes.newAccount(mail));
        String token = tokens.accessToken(UUID.fromString(id));
        String old = Ciphers.key();
        SecretCipher withOld = Ciphers.cipher(old, Ciphers.applicationKey());
        new KeyCheck(jdbc, withOld).verify(withOld);
        sql.execute("update mailbox set access_token = ? where id = ?",
                withOld.encrypt(token, SecretColumn.MAILBOX_ACCESS_TOKEN.context(id)), id);

        String fresh = Ciphers.key();
        SecretCipher rotated = Ciphers.cipher(fresh, Ciphers.applicationKey(), old);
        try {
            KeyCheck check = new KeyCheck(jdbc, rotated);
            check.verify(rotated);
            assertThat(new SecretRotation(jdbc, rotated, check).remaining()).containsKey(withOld.currentKeyId());

            SecretRotation.Report report = new SecretRotation(jdbc, rotated, check).rotate();

            assertThat(report.remaining()).isEmpty();
            assertThat(report.retiredKeys()).containsExactlyInAnyOrder(withOld.currentKeyId(),
                    applicationCipher.currentKeyId());
            SecretCipher onlyFresh = Ciphers.cipher(fresh);
            new KeyCheck(jdbc, onlyFresh).verify(onlyFresh); // the old keys may go
            String stored = sql.text("select access_token from mailbox where id = ?", id);
            assertThat(onlyFresh.decrypt(stored, SecretColumn.MAILBOX_ACCESS_TOKEN.context(id))).isEqualTo(token);
        } finally {
            SecretCipher back = Ciphers.cipher(Ciphers.applicationKey(), fresh, old);
            KeyCheck check = new KeyCheck(jdbc, back);
            check.verify(back);
            assertThat(new SecretRotation(jdbc, back, check).rotate().remaining()).isEmpty();
        }
        assertThat(sql.count("select count(*) from encryption_key")).isEqualTo(1);
        assertThat(tokens.accessToken(UUID.fromString(id))).isEqualTo(token);
    }
}
