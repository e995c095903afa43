package dev.mailsync.oauth;

import java.time.Instant;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import dev.mailsync.common.crypto.SecretColumn;

/**
 * A finished Microsoft sign-in waiting for the user who started the flow to attach it: found by the hash of the
 * one-time value the browser holds, used once, expires. Tokens never leave through {@link #toString()}.
 */
@Entity
@Table(name = "pending_connection")
public class PendingConnection {

    @Id
    @Column(name = "connection_hash")
    public String connectionHash;

    @Column(name = "user_id", nullable = false)
    public String userId;

    @Column(nullable = false)
    public String provider;

    @Column(name = "tenant_id", nullable = false)
    public String tenantId;

    @Column(name = "object_id", nullable = false)
    public String objectId;

    @Column(nullable = false)
    public String address;

    @Column(name = "display_name")
    public String displayName;

    /** Encrypted, bound to this row: use {@link #accessToken()}. */
    @Column(name = "access_token", nullable = false)
    String accessToken;

    @Column(name = "access_token_expires_at", nullable = false)
    public Instant accessTokenExpiresAt;

    /** Encrypted, bound to this row: use {@link #refreshToken()}. */
    @Column(name = "refresh_token", nullable = false)
    String refreshToken;

    public String scopes;

    @Column(name = "created_at", nullable = false)
    public Instant createdAt;

    @Column(name = "expires_at", nullable = false)
    public Instant expiresAt;

    public String accessToken() {
        return SecretColumn.PENDING_CONNECTION_ACCESS_TOKEN.open(connectionHash, accessToken);
    }

    /** Set {@link #connectionHash} first: the value is bound to it. */
    public void accessToken(String token) {
        accessToken = SecretColumn.PENDING_CONNECTION_ACCESS_TOKEN.seal(connectionHash, token);
    }

    public String refreshToken() {
        return SecretColumn.PENDING_CONNECTION_REFRESH_TOKEN.open(connectionHash, refreshToken);
    }

    /** Set {@link #connectionHash} first: the value is bound to it. */
    public void refreshToken(String token) {
        refreshToken = SecretColumn.PENDING_CONNECTION_REFRESH_TOKEN.seal(connectionHash, token);
    }

    @Override
    public String toString() {
        return "PendingConnection[userId=" + userId + ", provider=" + provider + ", expiresAt=" + expiresAt + "]";
    }
}
