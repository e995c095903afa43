package dev.mailsync.imap;

/** A folder from the server's LIST: name, hierarchy delimiter, SPECIAL-USE attribute (or null), selectable. */
public record RemoteFolder(String name, String delimiter, String specialUse, boolean selectable) {
}
