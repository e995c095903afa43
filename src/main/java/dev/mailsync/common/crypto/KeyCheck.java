package dev.mailsync.common.crypto;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import dev.mailsync.common.db.Jdbc;
import io.quarkus.logging.Log;
import io.quarkus.runtime.StartupEvent;

/**
 * Start-up check that this replica holds every key the stored secrets need. The table {@code encryption_key}
 * keeps, per key id, a value only that key produces; the current key is recorded before it encrypts anything.
 * A key recorded there (or found on stored values written before the table existed) that is not configured, or
 * a configured key whose check value does not match, stops the replica with a message naming the setting to
 * fix, instead of every user's tokens failing later.
 */
@ApplicationScoped
public class KeyCheck {

    static final String PLAINTEXT = "mailsync encryption key check";

    private final Jdbc jdbc;
    private final SecretCipher cipher;

    public KeyCheck(Jdbc jdbc, SecretCipher cipher) {
        this.jdbc = jdbc;
        this.cipher = cipher;
    }

    static String context(String keyId) {
        return "encryption_key:" + keyId;
    }

    void onStart(@Observes StartupEvent event) {
        verify(cipher);
    }

    /**
     * Checks {@code keys} against what is stored and records its current key.
     *
     * @throws IllegalStateException naming {@code MAILSYNC_ENCRYPTION_KEY} / {@code MAILSYNC_ENCRYPTION_PREVIOUS_KEYS}
     */
    public void verify(SecretCipher keys) {
        List<String> recorded = new ArrayList<>();
        List<String> mismatched = new ArrayList<>();
        jdbc.query("select key_id, check_value from encryption_key order by first_used_at", List.of(), rs -> {
            String keyId = rs.getString(1);
            recorded.add(keyId);
            if (keys.keyIds().contains(keyId) && !keys.matches(keyId, rs.getString(2))) {
                mismatched.add(keyId);
            }
        });
        Set<String> needed = new LinkedHashSet<>(recorded);
        if (recorded.isEmpty()) {
            needed.addAll(keyIdsInUse()); // values written before this table existed
        }
        List<String> missing = needed.stream().filter(id -> !keys.keyIds().contains(id)).toList();
        if (!missing.isEmpty() || !mismatched.isEmpty()) {
            throw new IllegalStateException("Stored secrets are encrypted with key(s) " + String.join(", ",
                    missing.isEmpty() ? mismatched : missing) + ", which this replica does not have"
                    + (mismatched.isEmpty() ? "" : " (a configured key with that id does not match)")
                    + ". Set MAILSYNC_ENCRYPTION_KEY to the current key and list earlier keys in "
                    + "MAILSYNC_ENCRYPTION_PREVIOUS_KEYS (configured key ids: " + String.join(", ", keys.keyIds())
                    + "). A key may be dropped once POST /api/v1/admin/encryption/rotate reports nothing left "
                    + "under it.");
        }
        needed.add(keys.currentKeyId());
        for (String keyId : needed) {
            if (!recorded.contains(keyId)) {
                jdbc.update("insert into encryption_key (key_id, check_value) values (?, ?) on conflict do nothing",
                        keyId, keys.checkValue(keyId));
                Log.infof("Encryption key %s recorded", keyId);
            }
        }
    }

    /** The key ids of every stored value (a scan of the encrypted columns). */
    Set<String> keyIdsInUse() {
        Set<String> ids = new LinkedHashSet<>();
        for (SecretColumn column : SecretColumn.ALL) {
            jdbc.query("select distinct split_part(" + column.column() + ", ':', 2) from " + column.table()
                    + " where " + column.column() + " is not null", List.of(), rs -> ids.add(rs.getString(1)));
        }
        return ids;
    }

    /** Forgets a key no stored value uses any more (after a rotation), so it may be dropped from the settings. */
    void retire(String keyId) {
        jdbc.update("delete from encryption_key where key_id = ?", keyId);
        Log.infof("Encryption key %s retired: no stored value uses it", keyId);
    }
}
