package dev.mailsync.message;

/** A parsed address: display name (decoded, may be null) and the address itself. */
public record EmailAddress(String name, String address) {
}
