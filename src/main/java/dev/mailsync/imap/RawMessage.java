package dev.mailsync.imap;

import java.time.Instant;

import jakarta.mail.Flags;

/**
 * A message fetched whole ({@code BODY.PEEK[]}) with its UID, flags, internal date and size; its bytes are
 * {@code length} bytes of {@code buffer} from {@code offset}.
 */
public record RawMessage(long uid, Flags flags, Instant internalDate, long size, byte[] buffer, int offset, int length) {
}
