package dev.mailsync.imap;

/**
 * A leaf of a message's MIME tree as the server describes it (IMAP BODYSTRUCTURE): its IMAP section, lower-case
 * base type, charset, transfer encoding, disposition, file name, Content-ID (as the server gives it, brackets and
 * all), encoded size, and whether its parent is a {@code multipart/related}.
 */
public record PartOutline(String section, String type, String charset, String encoding, String disposition,
        String filename, String contentId, long size, boolean inRelated) {
}
