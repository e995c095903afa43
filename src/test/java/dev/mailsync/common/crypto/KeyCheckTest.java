package dev.mailsync.common.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.mailsync.common.db.Jdbc;
import dev.mailsync.support.Ciphers;
import dev.mailsync.support.Sql;
import dev.mailsync.support.MailsyncTest;

/**
 * The start-up check against the application's database: a replica whose keys do not cover what is stored must
 * stop with a message naming the settings, not answer 500s later. (A failing Quarkus boot is not a test case of
 * its own: the check runs on StartupEvent, where an exception stops the start.)
 */
@MailsyncTest
class KeyCheckTest {

    @Inject
    KeyCheck check;

    @Inject
    SecretCipher applicationCipher;

    @Inject
    Jdbc jdbc;

    @Inject
    Sql sql;

    @Test
    void shouldHaveRecordedTheCurrentKeyAtStartUp() throws Exception {
        assertThat(sql.count("select count(*) from encryption_key where key_id = ?",
                applicationCipher.currentKeyId())).isEqualTo(1);
        assertThatCode(() -> check.verify(applicationCipher)).doesNotThrowAnyException();
    }

    @Test
    void shouldStopAReplicaWithAnotherKey() {
        SecretCipher wrong = Ciphers.cipher(Ciphers.key());

        assertThatThrownBy(() -> check.verify(wrong)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(applicationCipher.currentKeyId())
                .hasMessageContaining("MAILSYNC_ENCRYPTION_KEY")
                .hasMessageContaining("MAILSYNC_ENCRYPTION_PREVIOUS_KEYS");
    }

    @Test
    void shouldAcceptANewKeyWithTheOldOneAsPreviousAndRecordIt() throws Exception {
        SecretCipher rotated = Ciphers.cipher(Ciphers.key(), Ciphers.applicationKey());
        try {
            check.verify(rotated);

            assertThat(sql.count("select count(*) from encryption_key where key_id = ?",
                    rotated.currentKeyId())).isEqualTo(1);
            // from now on a replica without the new key stops too
            assertThatThrownBy(() -> check.verify(applicationCipher)).hasMessageContaining(rotated.currentKeyId());
        } finally {
            sql.execute("delete from encryption_key where key_id = ?", rotated.currentKeyId());
        }
    }

    @Test
    void shouldStopWhenAConfiguredKeyDoesNotMatchItsCheckValue() throws Exception {
        String other = Ciphers.key();
        SecretCipher withOther = Ciphers.cipher(Ciphers.applicationKey(), other);
        String otherId = withOther.keyIds().stream().filter(id -> !id.equals(applicationCipher.currentKeyId()))
                .findFirst().orElseThrow();
        // a row for that key id whose check value another key wrote
        jdbc.update("insert into encryption_key (key_id, check_value) values (?, ?)", otherId,
                Ciphers.cipher(Ciphers.key()).encrypt(KeyCheck.PLAINTEXT, KeyCheck.context(otherId))
                        .split(":", 3)[2]);
        try {
            assertThatThrownBy(() -> check.verify(withOther)).hasMessageContaining(otherId)
                    .hasMessageContaining("does not match");
        } finally {
            sql.execute("delete from encryption_key where key_id = ?", otherId);
        }
    }
}
