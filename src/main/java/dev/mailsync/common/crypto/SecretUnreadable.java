package dev.mailsync.common.crypto;

/**
 * A stored secret that cannot be decrypted with the keys we have: written for another row or column (copied),
 * or damaged. The secret is lost; whoever owns it must provide it again (a mailbox: its user reconnects).
 */
public class SecretUnreadable extends RuntimeException {

    public SecretUnreadable(String message) {
        super(message, null, false, false);
    }
}
