package dev.mailsync.message;

/**
 * An attachment of a stored message: where it sits in the MIME tree ({@code part}, IMAP section numbering,
 * so its content can be fetched from the server on demand), and what the message says about it.
 */
public record AttachmentInfo(int id, String part, String filename, String contentType, long size, String contentId,
        boolean inline) {
}
