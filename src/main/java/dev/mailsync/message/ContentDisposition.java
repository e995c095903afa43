package dev.mailsync.message;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/** A safe {@code Content-Disposition: attachment} header (RFC 6266): an ASCII fallback and {@code filename*}. */
final class ContentDisposition {

    private ContentDisposition() {
    }

    static String attachment(String filename, String fallback) {
        String name = filename == null || filename.isBlank() ? fallback : filename;
        // no path, no control characters (one pass each: file names come from mail and may be huge)
        name = name.substring(Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\')) + 1);
        StringBuilder clean = new StringBuilder(name.length());
        StringBuilder ascii = new StringBuilder(name.length());
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (Character.isISOControl(c)) {
                continue;
            }
            clean.append(c);
            ascii.append(c < 0x20 || c > 0x7E || c == '"' || c == '\\' ? '_' : c);
        }
        if (clean.toString().isBlank()) {
            return attachment(fallback, fallback);
        }
        String encoded = URLEncoder.encode(clean.toString().strip(), StandardCharsets.UTF_8).replace("+", "%20");
        return "attachment; filename=\"" + ascii.toString().strip() + "\"; filename*=UTF-8''" + encoded;
    }
}
