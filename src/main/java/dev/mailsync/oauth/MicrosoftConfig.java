package dev.mailsync.oauth;

import java.time.Duration;
import java.util.Optional;

import dev.mailsync.common.MailSockets;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Microsoft 365 endpoints and the Entra app defaults (prefix {@code mailsync.microsoft}). */
@ConfigMapping(prefix = "mailsync.microsoft")
public interface MicrosoftConfig {

    /** Identity platform authority; the tenant and {@code /oauth2/v2.0/...} are appended. */
    @WithDefault("https://login.microsoftonline.com")
    String authority();

    /** Default tenant ({@code common}, {@code organizations}, a domain or a tenant id); saved settings win. */
    @WithDefault("common")
    String tenant();

    /** Default Entra application (client) id; saved settings win. */
    Optional<String> clientId();

    /** Default Entra client secret; saved settings win. */
    Optional<String> clientSecret();

    /** How long a started authorization (its state and PKCE verifier) stays valid. */
    @WithDefault("10m")
    Duration authorizationTtl();

    /** Timeout of one call to the token endpoint. */
    @WithDefault("20s")
    Duration tokenTimeout();

    /** A stored access token is refreshed when it has less than this left. */
    @WithDefault("5m")
    Duration tokenRefreshSkew();

    /**
     * Microsoft Graph's base URL, without {@code /v1.0} (another cloud's, or a fake's in tests and benchmarks). Its
     * tokens are asked for the resource {@code https://graph.microsoft.com} whatever this is.
     */
    @WithDefault("https://graph.microsoft.com")
    String graphUrl();

    /** IMAP server of the mailboxes. */
    Server imap();

    /** SMTP submission server. */
    Server smtp();

    interface Server {
        /** Host name. */
        String host();

        /** TCP port. */
        int port();

        /** {@code ssl} (implicit TLS), {@code starttls} or {@code none}. */
        MailSockets.Tls tls();
    }
}
