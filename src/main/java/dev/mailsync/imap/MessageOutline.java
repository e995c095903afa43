package dev.mailsync.imap;

import java.time.Instant;
import java.util.List;

import jakarta.mail.Flags;

/**
 * A message known from its header and BODYSTRUCTURE, not fetched whole: UID, flags, internal date, size, the raw
 * header, the leaves of its MIME tree (at most 1,000, at most 50 levels deep), whether the tree had more, and
 * {@code mismatch}: why the server's tree may not be the one a parser of the whole message finds (no
 * BODYSTRUCTURE, a multipart without a usable boundary, a digest, a tree near the parser's limits), or null.
 */
public record MessageOutline(long uid, Flags flags, Instant internalDate, long size, byte[] header,
        List<PartOutline> parts, boolean cut, String mismatch) {
}
