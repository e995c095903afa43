package dev.mailsync.message;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;

import org.junit.jupiter.api.Test;

class CursorTest {

    private static String opaque(String plain) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(plain.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void shouldRoundTripATimeToTheMicrosecondAndAnyKey() {
        Instant at = Instant.parse("2026-11-24T09:15:30.123456789Z");
        Cursor cursor = Cursor.decode(new Cursor(at, "<a:b/c@x.example>").encode());
        assertThat(cursor.at()).isEqualTo(Instant.parse("2026-11-24T09:15:30.123456Z")); // PostgreSQL keeps micros
        assertThat(cursor.key()).isEqualTo("<a:b/c@x.example>");
        assertThat(Cursor.decode(new Cursor(Instant.parse("1960-01-01T00:00:00Z"), "k").encode()).at())
                .isEqualTo(Instant.parse("1960-01-01T00:00:00Z"));
    }

    @Test
    void shouldBeOpaqueAndSafeInAUrl() {
        String text = new Cursor(Instant.EPOCH, "key with spaces/and+plus").encode();
        assertThat(text).matches("[A-Za-z0-9_-]+");
        assertThat(text).isEqualTo(opaque("0:key with spaces/and+plus"));
    }

    @Test
    void shouldRefuseWhatAClientMadeUp() {
        for (String bad : List.of("", "not base64!", opaque("no colon"), opaque(":key"), opaque("12:"),
                opaque("x:key"), opaque("1:a\0b"), opaque("99999999999999999999:k"), opaque("-99999999999999999:k"),
                "A".repeat(2049))) {
            assertThatThrownBy(() -> Cursor.decode(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void shouldRoundTripAMessageCursor() {
        MessageCursor cursor = new MessageCursor(Instant.parse("2026-11-24T09:15:30.5Z"), 4711, 9_000_000_000L);
        assertThat(MessageCursor.decode(cursor.encode())).isEqualTo(cursor);
        long micros = cursor.at().getEpochSecond() * 1_000_000 + 500_000;
        assertThat(cursor.encode()).isEqualTo(opaque(micros + ":4711/9000000000"));
    }

    @Test
    void shouldRefuseAThreadCursorOrAnyOtherKeyAsAMessageCursor() {
        Instant at = Instant.parse("2026-11-24T00:00:00Z");
        for (String key : List.of("<thread@x.example>", "1", "1/2/3", "a/2", "1/b", "/2")) {
            String text = new Cursor(at, key).encode();
            assertThatThrownBy(() -> MessageCursor.decode(text)).as(key).isInstanceOf(IllegalArgumentException.class);
        }
    }
}
