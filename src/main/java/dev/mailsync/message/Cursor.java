package dev.mailsync.message;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;

/** A keyset position (time, tie-breaker key), opaque to clients. */
public record Cursor(Instant at, String key) {

    public String encode() {
        long micros = ChronoUnit.MICROS.between(Instant.EPOCH, at);
        return Base64.getUrlEncoder().withoutPadding()
                .encodeToString((micros + ":" + key).getBytes(StandardCharsets.UTF_8));
    }

    /** @throws IllegalArgumentException when the text is not a cursor this service wrote */
    public static Cursor decode(String text) {
        String plain = new String(Base64.getUrlDecoder().decode(text), StandardCharsets.UTF_8);
        int colon = plain.indexOf(':');
        if (colon <= 0 || colon == plain.length() - 1) {
            throw new IllegalArgumentException("not a cursor");
        }
        return new Cursor(Instant.EPOCH.plus(Long.parseLong(plain.substring(0, colon)), ChronoUnit.MICROS),
                plain.substring(colon + 1));
    }
}
