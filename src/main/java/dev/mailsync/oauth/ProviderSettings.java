package dev.mailsync.oauth;

import java.time.Instant;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import dev.mailsync.common.crypto.SecretColumn;

/** Entra app settings saved by an administrator; the client secret is encrypted at rest. */
@Entity
@Table(name = "provider_settings")
public class ProviderSettings {

    @Id
    public String provider;

    @Column(nullable = false)
    public String tenant;

    @Column(name = "client_id", nullable = false)
    public String clientId;

    /** Encrypted, bound to this row: use {@link #clientSecret()}. */
    @Column(name = "client_secret")
    String clientSecret;

    @Column(name = "updated_at", nullable = false)
    public Instant updatedAt;

    @Column(name = "updated_by", nullable = false)
    public String updatedBy;

    public String clientSecret() {
        return SecretColumn.PROVIDER_SETTINGS_CLIENT_SECRET.open(provider, clientSecret);
    }

    /** Stores the client secret encrypted for this row ({@code null}: none); set {@link #provider} first. */
    public void clientSecret(String secret) {
        clientSecret = SecretColumn.PROVIDER_SETTINGS_CLIENT_SECRET.seal(provider, secret);
    }

    @Override
    public String toString() {
        return "ProviderSettings[provider=" + provider + ", tenant=" + tenant + ", clientId=" + clientId + "]";
    }
}
