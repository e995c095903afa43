package dev.mailsync.oauth;

import java.time.Instant;

import jakarta.persistence.Column;
import jakarta.persistence.Convert;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import dev.mailsync.common.crypto.Encrypted;
import io.quarkus.hibernate.orm.panache.PanacheEntityBase;

/** Entra app settings saved by an administrator; the client secret is encrypted at rest. */
@Entity
@Table(name = "provider_settings")
public class ProviderSettings extends PanacheEntityBase {

    @Id
    public String provider;

    @Column(nullable = false)
    public String tenant;

    @Column(name = "client_id", nullable = false)
    public String clientId;

    @Convert(converter = Encrypted.class)
    @Column(name = "client_secret")
    public String clientSecret;

    @Column(name = "updated_at", nullable = false)
    public Instant updatedAt;

    @Column(name = "updated_by", nullable = false)
    public String updatedBy;

    @Override
    public String toString() {
        return "ProviderSettings[provider=" + provider + ", tenant=" + tenant + ", clientId=" + clientId + "]";
    }
}
