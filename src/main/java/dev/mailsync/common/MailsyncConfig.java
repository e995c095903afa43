package dev.mailsync.common;

import java.util.List;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Service-wide settings (prefix {@code mailsync}). Feature settings live in their own mappings. */
@ConfigMapping(prefix = "mailsync")
public interface MailsyncConfig {

    /** Public base URL of this service, as browsers reach it; the OAuth redirect URI is built from it. */
    @WithDefault("http://localhost:8080")
    String publicUrl();

    /**
     * Where the OAuth callback sends the browser afterwards ({@code ?connection=<value>} or {@code ?error=<code>});
     * without it the callback answers a page that {@code postMessage}s the result to its opener.
     */
    Optional<String> frontendUrl();

    /**
     * The only origin ({@code https://app.example.com}) the callback page's {@code postMessage} is delivered to;
     * default: the origin of {@link #frontendUrl()}, else of {@link #publicUrl()}.
     */
    Optional<String> frontendOrigin();

    /** Base64 of 32 random bytes: the AES-256-GCM key that encrypts tokens and secrets at rest. */
    Optional<String> encryptionKey();

    /** Earlier encryption keys (base64), still accepted for decryption after a key rotation. */
    Optional<List<String>> encryptionPreviousKeys();
}
