package dev.mailsync.common.crypto;

import java.util.List;

import io.quarkus.arc.Arc;

/**
 * A column holding encrypted secrets. Each value is bound to its column and row: the AES-GCM associated data is
 * {@code "<table>.<column>:<row id>"}, so a value copied to another row or column does not decrypt.
 * <p>
 * An entity keeps the ciphertext in a non-public field and opens and seals it in accessors, e.g.
 * {@code public String refreshToken() { return MAILBOX_REFRESH_TOKEN.open(id, refreshToken); }}. A new encrypted
 * column is one constant here, added to {@link #ALL} (which key rotation rewrites), and those two accessors.
 *
 * @param table the table
 * @param column the encrypted column
 * @param idColumn the row's primary key column (its text form is bound)
 * @param idType the SQL type of that key, for the rotation's {@code UPDATE}
 * @param disposableRow what rotation does with a value that cannot be decrypted (it never will be): {@code true}
 *        deletes the row (a pending flow: its user starts again), {@code false} sets the value to {@code NULL}
 *        (its owner must provide it again; a mailbox without tokens needs its user to reconnect)
 */
public record SecretColumn(String table, String column, String idColumn, String idType, boolean disposableRow) {

    public static final SecretColumn MAILBOX_ACCESS_TOKEN = new SecretColumn("mailbox", "access_token", "id", "uuid",
            false);
    public static final SecretColumn MAILBOX_REFRESH_TOKEN = new SecretColumn("mailbox", "refresh_token", "id", "uuid",
            false);
    /** The mailbox's Microsoft Graph access token (the Outlook one is {@link #MAILBOX_ACCESS_TOKEN}). */
    public static final SecretColumn MAILBOX_GRAPH_TOKEN = new SecretColumn("mailbox", "graph_token", "id", "uuid",
            false);
    public static final SecretColumn PENDING_AUTHORIZATION_CODE_VERIFIER = new SecretColumn("pending_authorization",
            "code_verifier", "state_hash", "text", true);
    public static final SecretColumn PENDING_CONNECTION_ACCESS_TOKEN = new SecretColumn("pending_connection",
            "access_token", "connection_hash", "text", true);
    public static final SecretColumn PENDING_CONNECTION_REFRESH_TOKEN = new SecretColumn("pending_connection",
            "refresh_token", "connection_hash", "text", true);
    public static final SecretColumn PROVIDER_SETTINGS_CLIENT_SECRET = new SecretColumn("provider_settings",
            "client_secret", "provider", "text", false);
    /** A webhook whose secret can never be decrypted cannot sign: it is deleted, its owner creates it again. */
    public static final SecretColumn WEBHOOK_SECRET = new SecretColumn("webhook", "secret", "id", "uuid", true);

    /** Every encrypted column: what key rotation rewrites and counts. */
    public static final List<SecretColumn> ALL = List.of(MAILBOX_ACCESS_TOKEN, MAILBOX_REFRESH_TOKEN,
            PENDING_AUTHORIZATION_CODE_VERIFIER, PENDING_CONNECTION_ACCESS_TOKEN, PENDING_CONNECTION_REFRESH_TOKEN,
            PROVIDER_SETTINGS_CLIENT_SECRET, WEBHOOK_SECRET, MAILBOX_GRAPH_TOKEN);

    /** The associated data of this column's value in row {@code rowId}. */
    public String context(Object rowId) {
        if (rowId == null) {
            throw new IllegalStateException("Set the id of the " + table + " row before its " + column);
        }
        return table + "." + column + ":" + rowId;
    }

    /** Encrypts a value for this column of row {@code rowId}; {@code null} stays {@code null}. */
    public String seal(Object rowId, String plaintext) {
        return plaintext == null ? null : cipher().encrypt(plaintext, context(rowId));
    }

    /**
     * Decrypts this column's value of row {@code rowId}; {@code null} stays {@code null}.
     *
     * @throws SecretUnreadable the value was not written for this row and column, or is damaged
     */
    public String open(Object rowId, String ciphertext) {
        return ciphertext == null ? null : cipher().decrypt(ciphertext, context(rowId));
    }

    /** Entities are not beans: they reach the cipher through the container. */
    private static SecretCipher cipher() {
        return Arc.container().instance(SecretCipher.class).get();
    }
}
