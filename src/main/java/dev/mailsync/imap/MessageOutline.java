package dev.mailsync.imap;

import java.time.Instant;
import java.util.List;

import jakarta.mail.Flags;

/**
 * A message known from its header and BODYSTRUCTURE, not fetched whole: UID, flags, internal date, size, the raw
 * header, the leaves of its MIME tree (at most 1,000, at most 50 levels deep) and whether the tree had more.
 */
public record MessageOutline(long uid, Flags flags, Instant internalDate, long size, byte[] header,
        List<PartOutline> parts, boolean cut) {
}
