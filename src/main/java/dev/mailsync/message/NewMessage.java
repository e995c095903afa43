package dev.mailsync.message;

import java.time.Instant;
import java.util.UUID;

/** A message fetched from a folder, ready to be stored. */
public record NewMessage(UUID mailboxId, long folderId, long uidValidity, long uid, Instant internalDate, int size,
        MessageFlags flags, ParsedMessage parsed) {
}
