package dev.mailsync.oauth;

import java.time.Instant;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import dev.mailsync.common.crypto.SecretColumn;

/** A started authorization-code flow: found by the hash of its state, used once, expires. */
@Entity
@Table(name = "pending_authorization")
public class PendingAuthorization {

    @Id
    @Column(name = "state_hash")
    public String stateHash;

    @Column(name = "user_id", nullable = false)
    public String userId;

    @Column(nullable = false)
    public String provider;

    /** Encrypted, bound to this row: use {@link #codeVerifier()}. */
    @Column(name = "code_verifier", nullable = false)
    String codeVerifier;

    @Column(nullable = false)
    public String nonce;

    @Column(name = "redirect_uri", nullable = false)
    public String redirectUri;

    @Column(name = "created_at", nullable = false)
    public Instant createdAt;

    @Column(name = "expires_at", nullable = false)
    public Instant expiresAt;

    public String codeVerifier() {
        return SecretColumn.PENDING_AUTHORIZATION_CODE_VERIFIER.open(stateHash, codeVerifier);
    }

    /** Stores the PKCE verifier encrypted for this row; set {@link #stateHash} first. */
    public void codeVerifier(String verifier) {
        codeVerifier = SecretColumn.PENDING_AUTHORIZATION_CODE_VERIFIER.seal(stateHash, verifier);
    }

    @Override
    public String toString() {
        return "PendingAuthorization[userId=" + userId + ", provider=" + provider + ", expiresAt=" + expiresAt + "]";
    }
}
