package dev.mailsync.common.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.SQLException;
import java.time.Instant;
import java.util.List;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.mailsync.common.db.Jdbc;
import dev.mailsync.support.Ciphers;
import dev.mailsync.support.Sql;
import dev.mailsync.support.MailsyncTest;
import io.quarkus.narayana.jta.QuarkusTransaction;

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

    /**
     * The SQL helper every store uses (here for want of a Quarkus test class of its own): reads, writes, batches,
     * array and timestamp parameters, one statement after another in the caller's transaction, and failures that
     * keep the driver's SQLState.
     */
    @Test
    void jdbcShouldReadWriteAndBatchInTheCallersTransaction() {
        Instant at = Instant.parse("2026-01-02T03:04:05.678Z");
        QuarkusTransaction.requiringNew().run(() -> {
            jdbc.update("create temp table probe (n bigint primary key, s text, at timestamptz, tags text[])"
                    + " on commit drop");
            jdbc.batch("insert into probe (n, s, at) values (?, ?, ?)", List.of(1L, 2L, 3L), (s, n) -> {
                s.setLong(1, n);
                s.setString(2, n == 2 ? null : "row " + n);
                Jdbc.setInstant(s, 3, n == 3 ? null : at.plusSeconds(n));
            });
            assertThat(jdbc.update("update probe set tags = ?, at = coalesce(at, ?) where n = any(?)",
                    Jdbc.array("text", List.of("a", "b")), at, Jdbc.array("bigint", List.of(2L, 3L)))).isEqualTo(2);

            assertThat(jdbc.list("select n, s from probe order by n", rs -> rs.getLong(1) + ":" + rs.getString(2)))
                    .containsExactly("1:row 1", "2:null", "3:row 3");
            assertThat(jdbc.optional("select s from probe where n = ?", rs -> rs.getString(1), 1L))
                    .contains("row 1");
            assertThat(jdbc.optional("select s from probe where n = ?", rs -> rs.getString(1), 9L)).isEmpty();
            Instant stored = jdbc.one("select at from probe where n = ?", rs -> Jdbc.instant(rs, 1), 3L);
            assertThat(stored).isEqualTo(at);
            List<String> tags = jdbc.one("select tags from probe where n = ?", rs -> Jdbc.strings(rs, 1), 2L);
            assertThat(tags).containsExactly("a", "b");
            assertThat(jdbc.exists("select 1 from probe where s is null")).isTrue();
            assertThat(jdbc.exists("select 1 from probe where n = ?", (Object) null)).isFalse();
            assertThatThrownBy(() -> jdbc.one("select n from probe where n > ?", rs -> rs.getLong(1), 1L))
                    .isInstanceOf(Jdbc.Failed.class).hasMessageContaining("expected one row, got 2");
        });
        assertThatThrownBy(() -> jdbc.update("insert into encryption_key (key_id) values (null)"))
                .isInstanceOf(Jdbc.Failed.class).hasRootCauseInstanceOf(SQLException.class)
                .satisfies(e -> assertThat(((SQLException) e.getCause()).getSQLState()).isEqualTo("23502"));
    }
}
