package dev.mailsync.message;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;

import dev.mailsync.common.problem.QueryParams;

/** A keyset position (time, tie-breaker key), opaque to clients. */
public record Cursor(Instant at, String key) {

    /** Thread ids are message ids (at most a header line); base64 adds a third. */
    private static final int MAX_LENGTH = 2048;
    private static final long MIN_MICROS = micros(QueryParams.EARLIEST);
    private static final long MAX_MICROS = micros(QueryParams.LATEST);

    public String encode() {
        return Base64.getUrlEncoder().withoutPadding()
                .encodeToString((micros(at) + ":" + key).getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Checks everything a client could have changed: the length, the time (it goes into a query: a time PostgreSQL
     * cannot hold would fail it) and the key (PostgreSQL refuses NUL in text; a stored thread id may hold any
     * other character).
     *
     * @throws IllegalArgumentException when the text is not a cursor this service wrote
     */
    public static Cursor decode(String text) {
        if (text.length() > MAX_LENGTH) {
            throw new IllegalArgumentException("too long for a cursor");
        }
        String plain = new String(Base64.getUrlDecoder().decode(text), StandardCharsets.UTF_8);
        int colon = plain.indexOf(':');
        if (colon <= 0 || colon == plain.length() - 1) {
            throw new IllegalArgumentException("not a cursor");
        }
        long micros = Long.parseLong(plain.substring(0, colon));
        String key = plain.substring(colon + 1);
        if (micros < MIN_MICROS || micros > MAX_MICROS || key.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("not a cursor");
        }
        return new Cursor(Instant.EPOCH.plus(micros, ChronoUnit.MICROS), key);
    }

    /** Microseconds since the epoch (ChronoUnit.MICROS.between overflows for times more than 292 years away). */
    private static long micros(Instant time) {
        return time.getEpochSecond() * 1_000_000 + time.getNano() / 1000;
    }
}
