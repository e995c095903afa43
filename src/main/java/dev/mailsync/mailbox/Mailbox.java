package dev.mailsync.mailbox;

import java.time.Instant;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import dev.mailsync.common.crypto.SecretColumn;

/** A connected mailbox with its (encrypted) OAuth2 tokens. Tokens never leave through {@link #toString()}. */
@Entity
@Table(name = "mailbox")
public class Mailbox {

    @Id
    public UUID id;

    @Column(name = "user_id", nullable = false)
    public String userId;

    @Column(nullable = false)
    public String provider;

    /** Microsoft's tenant id ({@code tid}); null only for mailboxes connected before it was recorded. */
    @Column(name = "tenant_id")
    public String tenantId;

    /** Microsoft's object id of the account ({@code oid}): with the tenant, what identifies the mailbox. */
    @Column(name = "object_id")
    public String objectId;

    /** For display and the IMAP/SMTP login; updated when the account's address changes. */
    @Column(nullable = false)
    public String address;

    @Column(name = "display_name")
    public String displayName;

    @Enumerated(EnumType.STRING)
    @Column(nullable = false)
    public MailboxState state;

    @Column(name = "state_reason")
    public String stateReason;

    /** Encrypted, bound to this row ({@link SecretColumn#MAILBOX_ACCESS_TOKEN}): use {@link #accessToken()}. */
    @Column(name = "access_token")
    String accessToken;

    @Column(name = "access_token_expires_at")
    public Instant accessTokenExpiresAt;

    /** Encrypted, bound to this row ({@link SecretColumn#MAILBOX_REFRESH_TOKEN}): use {@link #refreshToken()}. */
    @Column(name = "refresh_token")
    String refreshToken;

    /** The scopes of the Outlook token. */
    public String scopes;

    /** Encrypted, bound to this row ({@link SecretColumn#MAILBOX_GRAPH_TOKEN}): use {@link #graphToken()}. */
    @Column(name = "graph_token")
    String graphToken;

    @Column(name = "graph_token_expires_at")
    public Instant graphTokenExpiresAt;

    /** When Microsoft last said the grant lacks Graph's permissions; reconnecting clears it. */
    @Column(name = "graph_consent_missing_at")
    public Instant graphConsentMissingAt;

    /** Replica refreshing the tokens right now (a lease, so no transaction spans the token request). */
    @Column(name = "token_refresh_owner")
    public String tokenRefreshOwner;

    @Column(name = "token_refresh_until")
    public Instant tokenRefreshUntil;

    @Column(name = "created_at", nullable = false)
    public Instant createdAt;

    @Column(name = "updated_at", nullable = false)
    public Instant updatedAt;

    /**
     * The access token (decrypted on each call).
     *
     * @throws dev.mailsync.common.crypto.SecretUnreadable the stored value was not written for this mailbox
     */
    public String accessToken() {
        return SecretColumn.MAILBOX_ACCESS_TOKEN.open(id, accessToken);
    }

    /** Whether an access token is stored (without decrypting it). */
    public boolean hasAccessToken() {
        return accessToken != null;
    }

    /** Stores the access token encrypted for this mailbox; set {@link #id} first. */
    public void accessToken(String token) {
        accessToken = SecretColumn.MAILBOX_ACCESS_TOKEN.seal(id, token);
    }

    /**
     * The refresh token (decrypted on each call).
     *
     * @throws dev.mailsync.common.crypto.SecretUnreadable the stored value was not written for this mailbox
     */
    public String refreshToken() {
        return SecretColumn.MAILBOX_REFRESH_TOKEN.open(id, refreshToken);
    }

    /** Stores the refresh token encrypted for this mailbox; set {@link #id} first. */
    public void refreshToken(String token) {
        refreshToken = SecretColumn.MAILBOX_REFRESH_TOKEN.seal(id, token);
    }

    /** The Microsoft Graph access token (decrypted on each call); see {@link #accessToken()}. */
    public String graphToken() {
        return SecretColumn.MAILBOX_GRAPH_TOKEN.open(id, graphToken);
    }

    public boolean hasGraphToken() {
        return graphToken != null;
    }

    /** Stores the Graph access token encrypted for this mailbox; set {@link #id} first. */
    public void graphToken(String token) {
        graphToken = SecretColumn.MAILBOX_GRAPH_TOKEN.seal(id, token);
    }

    /** A new grant (reconnected): the Graph token of the old one and what Microsoft said of its consent go. */
    public void forgetGraphGrant() {
        graphToken = null;
        graphTokenExpiresAt = null;
        graphConsentMissingAt = null;
    }

    @Override
    public String toString() {
        return "Mailbox[id=" + id + ", provider=" + provider + ", state=" + state + "]";
    }
}
