package dev.mailsync.oauth;

import java.util.Optional;

/**
 * The Entra application in effect: saved settings over configuration defaults. {@code toString()} leaves
 * the secret out.
 */
public record MicrosoftApp(String authority, String tenant, Optional<String> clientId,
        Optional<String> clientSecret) {

    public String authorizeUrl() {
        return authority + "/" + tenant + "/oauth2/v2.0/authorize";
    }

    public String tokenUrl() {
        return authority + "/" + tenant + "/oauth2/v2.0/token";
    }

    @Override
    public String toString() {
        return "MicrosoftApp[tenant=" + tenant + ", clientId=" + clientId.orElse("-") + ", clientSecretSet="
                + clientSecret.isPresent() + "]";
    }
}
