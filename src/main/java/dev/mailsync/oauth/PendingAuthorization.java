package dev.mailsync.oauth;

import java.time.Instant;

import jakarta.persistence.Column;
import jakarta.persistence.Convert;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import dev.mailsync.common.crypto.Encrypted;
import io.quarkus.hibernate.orm.panache.PanacheEntityBase;

/** A started authorization-code flow: found by the hash of its state, used once, expires. */
@Entity
@Table(name = "pending_authorization")
public class PendingAuthorization extends PanacheEntityBase {

    @Id
    @Column(name = "state_hash")
    public String stateHash;

    @Column(name = "user_id", nullable = false)
    public String userId;

    @Column(nullable = false)
    public String provider;

    @Convert(converter = Encrypted.class)
    @Column(name = "code_verifier", nullable = false)
    public String codeVerifier;

    @Column(nullable = false)
    public String nonce;

    @Column(name = "redirect_uri", nullable = false)
    public String redirectUri;

    @Column(name = "created_at", nullable = false)
    public Instant createdAt;

    @Column(name = "expires_at", nullable = false)
    public Instant expiresAt;

    @Override
    public String toString() {
        return "PendingAuthorization[userId=" + userId + ", provider=" + provider + ", expiresAt=" + expiresAt + "]";
    }
}
