package dev.mailsync.common.crypto;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import dev.mailsync.common.db.Jdbc;
import io.quarkus.logging.Log;

/**
 * Rewrites every stored secret that is not yet under the current key in the current format: values under a
 * previous key, and unbound {@code v1} values (which gain their row binding). Runs on demand
 * ({@code POST /api/v1/admin/encryption/rotate}), not at start-up: during a rolling update the replicas still on
 * the old version do not have the new key or cannot read the new format, so rewriting must wait until every
 * replica runs with the new settings. Each value is rewritten in its own statement, only if it did not change
 * meanwhile (a token refresh wins). Safe to run again at any time, from any replica.
 */
@ApplicationScoped
public class SecretRotation {

    private static final int BATCH = 500;

    private final Jdbc jdbc;
    private final SecretCipher cipher;
    private final KeyCheck keyCheck;

    public SecretRotation(Jdbc jdbc, SecretCipher cipher, KeyCheck keyCheck) {
        this.jdbc = jdbc;
        this.cipher = cipher;
        this.keyCheck = keyCheck;
    }

    /** Rewrites what it can and reports what remains. */
    public Report rotate() {
        int rewritten = 0;
        int unreadable = 0;
        for (SecretColumn column : SecretColumn.ALL) {
            String after = "";
            while (true) {
                List<String[]> rows = jdbc.list("select " + column.idColumn() + "::text, " + column.column()
                        + " from " + column.table() + " where " + column.column() + " is not null and "
                        + column.column() + " not like ? and " + column.idColumn() + "::text > ? order by "
                        + column.idColumn() + "::text limit " + BATCH,
                        rs -> new String[] { rs.getString(1), rs.getString(2) }, currentPrefix() + "%", after);
                if (rows.isEmpty()) {
                    break;
                }
                for (String[] row : rows) {
                    String plaintext;
                    try {
                        plaintext = cipher.decrypt(row[1], column.context(row[0]));
                    } catch (SecretUnreadable e) {
                        unreadable += discard(column, row[0], row[1]);
                        continue;
                    }
                    rewritten += jdbc.update("update " + column.table() + " set " + column.column() + " = ? where "
                            + column.idColumn() + " = cast(? as " + column.idType() + ") and " + column.column()
                            + " = ?", cipher.encrypt(plaintext, column.context(row[0])), row[0], row[1]);
                }
                after = rows.get(rows.size() - 1)[0];
            }
        }
        Map<String, Long> remaining = remaining();
        List<String> retired = new ArrayList<>();
        for (String keyId : cipher.keyIds()) {
            if (!keyId.equals(cipher.currentKeyId()) && !remaining.containsKey(keyId)) {
                keyCheck.retire(keyId);
                retired.add(keyId);
            }
        }
        Report report = new Report(cipher.currentKeyId(), rewritten, unreadable, remaining, retired);
        Log.infof("Encryption rotation: %s", report);
        return report;
    }

    /** A value no key can decrypt for its row will never be read: it goes, so that its key can be retired. */
    private int discard(SecretColumn column, String id, String value) {
        String where = " where " + column.idColumn() + " = cast(? as " + column.idType() + ") and " + column.column()
                + " = ?";
        int n = jdbc.update(column.disposableRow() ? "delete from " + column.table() + where
                : "update " + column.table() + " set " + column.column() + " = null" + where, id, value);
        Log.warnf("Encryption rotation: %s.%s of row %s cannot be decrypted for its row; %s", column.table(),
                column.column(), id, column.disposableRow() ? "row deleted" : "value cleared");
        return n;
    }

    /** Stored values not yet under the current key in the current format, by the key they were written with. */
    public Map<String, Long> remaining() {
        Map<String, Long> remaining = new TreeMap<>();
        for (SecretColumn column : SecretColumn.ALL) {
            jdbc.query("select split_part(" + column.column() + ", ':', 2), count(*) from " + column.table()
                    + " where " + column.column() + " is not null and " + column.column() + " not like ? group by 1",
                    List.of(currentPrefix() + "%"), rs -> remaining.merge(rs.getString(1), rs.getLong(2), Long::sum));
        }
        return remaining;
    }

    private String currentPrefix() {
        return SecretCipher.CURRENT_FORMAT + ":" + cipher.currentKeyId() + ":";
    }

    /**
     * What a rotation did.
     *
     * @param currentKeyId the key everything is now written with
     * @param rewritten values rewritten under it
     * @param unreadable values that do not decrypt for their row (copied or damaged), now cleared (or their
     *        disposable rows deleted); their owners must provide them again (a mailbox: reconnect)
     * @param remaining values still under another key or format, by key id (written meanwhile by a replica
     *        with older settings: run again)
     * @param retiredKeys keys no value uses any more: they may be removed from MAILSYNC_ENCRYPTION_PREVIOUS_KEYS
     */
    @Schema(name = "KeyRotationReport")
    public record Report(String currentKeyId, int rewritten, int unreadable, Map<String, Long> remaining,
            List<String> retiredKeys) {
    }
}
