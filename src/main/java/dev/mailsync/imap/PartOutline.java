package dev.mailsync.imap;

/**
 * A leaf of a message's MIME tree as the server describes it (IMAP BODYSTRUCTURE), for messages too large to be
 * fetched whole: its IMAP section, lower-case base type, charset, transfer encoding, disposition, file name,
 * Content-ID (without brackets) and encoded size.
 */
public record PartOutline(String section, String type, String charset, String encoding, String disposition,
        String filename, String contentId, long size) {
}
