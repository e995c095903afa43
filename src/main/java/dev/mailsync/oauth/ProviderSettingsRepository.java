package dev.mailsync.oauth;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.hibernate.orm.panache.PanacheRepositoryBase;

/** Saved provider settings, one row per provider. */
@ApplicationScoped
public class ProviderSettingsRepository implements PanacheRepositoryBase<ProviderSettings, String> {
}
