package dev.mailsync.oauth;

import java.net.URI;
import java.util.Locale;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import dev.mailsync.common.MailsyncConfig;
import io.quarkus.runtime.Startup;

/**
 * Where the OAuth callback hands its result: a redirect to the frontend URL, or, without one, the callback page's
 * {@code postMessage} to the frontend's origin. The message carries a one-time connection value, so it goes to
 * that origin only, never {@code "*"} (any page that opened the popup could read it). Checked at start-up.
 */
@ApplicationScoped
@Startup
public class FrontendTarget {

    private final Optional<String> url;
    private final String origin;

    public FrontendTarget(MailsyncConfig config) {
        this.url = config.frontendUrl().map(String::strip).filter(u -> !u.isEmpty());
        url.ifPresent(u -> originOf(u, "mailsync.frontend-url")); // a bad URL fails the start, not a callback
        this.origin = config.frontendOrigin().map(String::strip).filter(o -> !o.isEmpty())
                .map(FrontendTarget::checkOrigin)
                .orElseGet(() -> originOf(url.orElse(config.publicUrl()), url.isPresent()
                        ? "mailsync.frontend-url" : "mailsync.public-url"));
    }

    /** The frontend URL the callback redirects to, if one is configured. */
    public Optional<String> url() {
        return url;
    }

    /** The origin the callback page posts its message to. */
    public String origin() {
        return origin;
    }

    /** {@code scheme://host[:port]} of an absolute http(s) URL. */
    static String originOf(String url, String setting) {
        URI uri;
        try {
            uri = URI.create(url);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(setting + " is not a URL: " + url);
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!(scheme.equals("https") || scheme.equals("http")) || uri.getHost() == null) {
            throw new IllegalArgumentException(setting + " must be an absolute http(s) URL: " + url);
        }
        String port = uri.getPort() == -1 ? "" : ":" + uri.getPort();
        return scheme + "://" + uri.getHost().toLowerCase(Locale.ROOT) + port;
    }

    /** A configured origin: scheme, host and port only (a trailing slash is forgiven). */
    static String checkOrigin(String value) {
        String origin = originOf(value, "mailsync.frontend-origin");
        String given = value.endsWith("/") ? value.substring(0, value.length() - 1) : value;
        if (!given.equalsIgnoreCase(origin)) {
            throw new IllegalArgumentException("mailsync.frontend-origin must be an origin (scheme, host and port, "
                    + "e.g. https://app.example.com), not " + value);
        }
        return origin;
    }
}
