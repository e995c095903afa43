package dev.mailsync.oauth;

import java.time.Instant;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

import dev.mailsync.common.MailsyncConfig;
import dev.mailsync.common.crypto.SecretUnreadable;
import io.quarkus.logging.Log;

/** Which Entra application mailsync uses: saved settings win over configuration; changes apply at once. */
@ApplicationScoped
public class ProviderSettingsService {

    static final String MICROSOFT = "microsoft";
    static final String CALLBACK_PATH = "/api/v1/mailboxes/connect/microsoft/callback";

    private final ProviderSettingsRepository saved;
    private final MicrosoftConfig microsoft;
    private final MailsyncConfig mailsync;

    public ProviderSettingsService(ProviderSettingsRepository saved, MicrosoftConfig microsoft,
            MailsyncConfig mailsync) {
        this.saved = saved;
        this.microsoft = microsoft;
        this.mailsync = mailsync;
    }

    /** The application in effect now. */
    @Transactional(Transactional.TxType.SUPPORTS)
    public MicrosoftApp microsoftApp() {
        Optional<ProviderSettings> settings = saved.findByIdOptional(MICROSOFT);
        String authority = stripTrailingSlash(microsoft.authority());
        if (settings.isPresent()) {
            ProviderSettings s = settings.get();
            Optional<String> secret = savedSecret(s).or(microsoft::clientSecret);
            return new MicrosoftApp(authority, s.tenant, Optional.of(s.clientId), secret);
        }
        return new MicrosoftApp(authority, microsoft.tenant(), microsoft.clientId().filter(id -> !id.isBlank()),
                microsoft.clientSecret().filter(secret -> !secret.isBlank()));
    }

    /** The saved client secret; none when it cannot be decrypted (not written for this row), which is logged. */
    private static Optional<String> savedSecret(ProviderSettings settings) {
        try {
            return Optional.ofNullable(settings.clientSecret());
        } catch (SecretUnreadable e) {
            Log.errorf("The saved client secret of %s cannot be decrypted (%s): an administrator must enter it "
                    + "again", settings.provider, e.getMessage());
            return Optional.empty();
        }
    }

    /** The redirect URI to register in Entra. */
    public String redirectUri() {
        return stripTrailingSlash(mailsync.publicUrl()) + CALLBACK_PATH;
    }

    /**
     * Saves the settings. A {@code null} secret keeps the saved one; an empty secret removes it (falling back to
     * configuration, or a public client).
     */
    @Transactional
    public MicrosoftApp saveMicrosoftApp(String tenant, String clientId, String clientSecret, String adminId) {
        ProviderSettings settings = saved.findByIdOptional(MICROSOFT).orElseGet(ProviderSettings::new);
        settings.provider = MICROSOFT;
        settings.tenant = tenant;
        settings.clientId = clientId;
        if (clientSecret != null) {
            settings.clientSecret(clientSecret.isEmpty() ? null : clientSecret);
        }
        settings.updatedAt = Instant.now();
        settings.updatedBy = adminId;
        saved.persist(settings);
        Log.infof("Microsoft provider settings saved by %s: tenant=%s clientId=%s secret %s", adminId, tenant,
                clientId, clientSecret == null ? "unchanged" : clientSecret.isEmpty() ? "removed" : "replaced");
        return microsoftApp();
    }

    private static String stripTrailingSlash(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }
}
