package dev.mailsync.message;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/** A safe {@code Content-Disposition: attachment} header (RFC 6266): an ASCII fallback and {@code filename*}. */
final class ContentDisposition {

    private ContentDisposition() {
    }

    static String attachment(String filename, String fallback) {
        String name = filename == null || filename.isBlank() ? fallback : filename;
        // no path, no control characters
        name = name.replaceAll("[\\p{Cntrl}]", "").replaceAll(".*[/\\\\]", "").strip();
        if (name.isEmpty()) {
            name = fallback;
        }
        String ascii = name.replaceAll("[^\\x20-\\x7E]", "_").replace('"', '_').replace('\\', '_');
        String encoded = URLEncoder.encode(name, StandardCharsets.UTF_8).replace("+", "%20");
        return "attachment; filename=\"" + ascii + "\"; filename*=UTF-8''" + encoded;
    }
}
