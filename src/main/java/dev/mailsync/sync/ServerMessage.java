package dev.mailsync.sync;

import dev.mailsync.message.MessageFlags;

/** A message as the server lists it: UID, flags and size. */
record ServerMessage(long uid, MessageFlags flags, long size) {
}
