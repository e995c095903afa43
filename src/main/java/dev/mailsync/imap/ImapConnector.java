package dev.mailsync.imap;

import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.mail.MessagingException;

import dev.mailsync.common.MailSockets;
import dev.mailsync.mailbox.Mailbox;
import dev.mailsync.mailbox.MailboxRepository;
import dev.mailsync.oauth.AccessTokens;
import dev.mailsync.oauth.MicrosoftConfig;
import dev.mailsync.oauth.ReauthorizationRequired;
import io.quarkus.narayana.jta.QuarkusTransaction;

/** Opens an IMAP session for a mailbox with a fresh access token. */
@ApplicationScoped
public class ImapConnector {

    private final MailboxRepository mailboxes;
    private final AccessTokens tokens;
    private final MicrosoftConfig microsoft;
    private final ImapConfig config;
    private final MailSockets sockets;

    public ImapConnector(MailboxRepository mailboxes, AccessTokens tokens, MicrosoftConfig microsoft,
            ImapConfig config, MailSockets sockets) {
        this.mailboxes = mailboxes;
        this.tokens = tokens;
        this.microsoft = microsoft;
        this.config = config;
        this.sockets = sockets;
    }

    /**
     * @throws ReauthorizationRequired the mailbox needs its user to reconnect
     * @throws dev.mailsync.oauth.TokenUnavailable no token right now
     */
    public ImapSession open(UUID mailboxId) throws MessagingException {
        Mailbox mailbox = QuarkusTransaction.requiringNew().call(() -> mailboxes.findById(mailboxId));
        if (mailbox == null) {
            throw new ReauthorizationRequired(mailboxId, "mailbox disconnected");
        }
        String token = tokens.accessToken(mailboxId);
        return ImapSession.connect(microsoft.imap(), config, sockets, mailbox.address, token);
    }
}
