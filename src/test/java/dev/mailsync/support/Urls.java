package dev.mailsync.support;

import java.net.URI;

/** URLs the service hands out are absolute (mailsync.public-url); tests reach it on their own port. */
public final class Urls {

    private Urls() {
    }

    /** Path and query of an absolute URL, for RestAssured's configured base. */
    public static String local(String url) {
        URI uri = URI.create(url);
        return uri.getRawQuery() == null ? uri.getRawPath() : uri.getRawPath() + "?" + uri.getRawQuery();
    }
}
