package dev.mailsync.outbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import dev.mailsync.message.Cursor;
import dev.mailsync.message.MessageCursor;

class OutboxCursorTest {

    @Test
    void shouldRoundTripTheLastItemOfAPage() {
        UUID id = UUID.fromString("3f2b6c1e-9a4d-4c1b-8e7f-0a1b2c3d4e5f");
        OutboxItem last = new OutboxItem(id.toString(), OutboxState.SENT, "m@x", "s", List.of(), List.of(), List.of(),
                10, 1, null, null, Instant.parse("2026-11-24T10:00:00.000001Z"), null, null);
        OutboxCursor cursor = OutboxCursor.after(last);
        assertThat(cursor).isEqualTo(new OutboxCursor(Instant.parse("2026-11-24T10:00:00.000001Z"), id));
        assertThat(OutboxCursor.decode(cursor.encode())).isEqualTo(cursor);
        // the same text as before the cursor had a type: clients' saved cursors keep working
        assertThat(cursor.encode()).isEqualTo(new Cursor(cursor.at(), id.toString()).encode());
    }

    @Test
    void shouldRefuseCursorsOfOtherLists() {
        String messages = new MessageCursor(Instant.EPOCH, 1, 2).encode();
        String threads = new Cursor(Instant.EPOCH, "<t@x.example>").encode();
        for (String bad : List.of(messages, threads, "garbage")) {
            assertThatThrownBy(() -> OutboxCursor.decode(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }
}
