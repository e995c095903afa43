package dev.mailsync.outbox;

import java.time.Instant;
import java.util.UUID;

import dev.mailsync.message.Cursor;

/**
 * Where a page of the outbox ends: the last item's (created at, id), the key the list is sorted by. Parsed once from
 * the client's {@code cursor}; opaque to clients (a {@link Cursor} with the id as its key).
 */
public record OutboxCursor(Instant at, UUID id) {

    /** The cursor after this item. */
    static OutboxCursor after(OutboxItem item) {
        return new OutboxCursor(item.createdAt(), UUID.fromString(item.id()));
    }

    public String encode() {
        return new Cursor(at, id.toString()).encode();
    }

    /** @throws IllegalArgumentException when the text is not an outbox cursor this service wrote */
    public static OutboxCursor decode(String text) {
        Cursor cursor = Cursor.decode(text);
        return new OutboxCursor(cursor.at(), UUID.fromString(cursor.key()));
    }
}
