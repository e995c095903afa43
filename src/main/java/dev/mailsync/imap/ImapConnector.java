package dev.mailsync.imap;

import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.mail.MessagingException;

import dev.mailsync.common.MailSockets;

/** Opens an IMAP session for a mailbox with a fresh access token. */
@ApplicationScoped
public class ImapConnector {

    private final ImapLogins logins;
    private final ImapConfig config;
    private final MailSockets sockets;

    public ImapConnector(ImapLogins logins, ImapConfig config, MailSockets sockets) {
        this.logins = logins;
        this.config = config;
        this.sockets = sockets;
    }

    /**
     * @throws RuntimeException from {@link ImapLogins#login}: the mailbox needs its user to reconnect, or no token
     *         right now
     */
    public ImapSession open(UUID mailboxId) throws MessagingException {
        return ImapSession.connect(logins.login(mailboxId), config, sockets);
    }
}
