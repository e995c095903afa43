package dev.mailsync.message;

import java.time.Instant;

/**
 * Where a page of messages ends: the last message's (internal date, UID, id), the key the list is sorted by. Parsed
 * once from the client's {@code cursor}; opaque to clients (a {@link Cursor} with the key {@code uid/id}).
 */
public record MessageCursor(Instant at, long uid, long id) {

    public String encode() {
        return new Cursor(at, uid + "/" + id).encode();
    }

    /** @throws IllegalArgumentException when the text is not a message cursor this service wrote */
    public static MessageCursor decode(String text) {
        Cursor cursor = Cursor.decode(text);
        String[] key = cursor.key().split("/");
        if (key.length != 2) {
            throw new IllegalArgumentException("not a message cursor");
        }
        return new MessageCursor(cursor.at(), Long.parseLong(key[0]), Long.parseLong(key[1]));
    }
}
