package dev.mailsync.imap;

import jakarta.mail.Flags;

/** A message as the server lists it: UID, flags and size. */
public record ServerMessage(long uid, Flags flags, long size) {
}
