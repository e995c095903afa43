package dev.mailsync.imap;

import java.util.UUID;

/**
 * The login of a mailbox, for the protocol layer: the feature that owns mailboxes and their tokens implements it
 * ({@code oauth.MailboxLogins}), so that {@code imap} needs neither.
 */
public interface ImapLogins {

    /**
     * The server and a fresh access token of a mailbox.
     *
     * @throws RuntimeException the feature's own exceptions: the mailbox needs its user to reconnect, or no token
     *         is available right now
     */
    ImapLogin login(UUID mailboxId);
}
