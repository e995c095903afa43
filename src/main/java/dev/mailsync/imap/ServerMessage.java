package dev.mailsync.imap;

import dev.mailsync.message.MessageFlags;

/** A message as the server lists it: UID, flags and size. */
public record ServerMessage(long uid, MessageFlags flags, long size) {
}
