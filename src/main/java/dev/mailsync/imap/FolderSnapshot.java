package dev.mailsync.imap;

/** A folder's state as SELECT (EXAMINE) reports it; {@code highestModseq} is 0 without CONDSTORE. */
public record FolderSnapshot(long uidValidity, long uidNext, int exists, long highestModseq) {
}
