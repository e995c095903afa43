package dev.mailsync.sync;

/** A folder's state as SELECT (EXAMINE) reports it; {@code highestModseq} is 0 without CONDSTORE. */
record FolderSnapshot(long uidValidity, long uidNext, int exists, long highestModseq) {
}
