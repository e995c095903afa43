package dev.mailsync.oauth;

import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import dev.mailsync.imap.ImapLogin;
import dev.mailsync.imap.ImapLogins;
import dev.mailsync.mailbox.Mailbox;
import dev.mailsync.mailbox.MailboxRepository;
import io.quarkus.narayana.jta.QuarkusTransaction;

/** A mailbox's IMAP login: the provider's server, the mailbox's address and a fresh access token. */
@ApplicationScoped
public class MailboxLogins implements ImapLogins {

    private final MailboxRepository mailboxes;
    private final AccessTokens tokens;
    private final MicrosoftConfig microsoft;

    public MailboxLogins(MailboxRepository mailboxes, AccessTokens tokens, MicrosoftConfig microsoft) {
        this.mailboxes = mailboxes;
        this.tokens = tokens;
        this.microsoft = microsoft;
    }

    /**
     * @throws ReauthorizationRequired the mailbox needs its user to reconnect (or is gone)
     * @throws TokenUnavailable no token right now
     */
    @Override
    public ImapLogin login(UUID mailboxId) {
        Mailbox mailbox = QuarkusTransaction.requiringNew().call(() -> mailboxes.findById(mailboxId));
        if (mailbox == null) {
            throw new ReauthorizationRequired(mailboxId, "mailbox disconnected");
        }
        String token = tokens.accessToken(mailboxId);
        MicrosoftConfig.Server server = microsoft.imap();
        return new ImapLogin(server.host(), server.port(), server.tls(), mailbox.address, token);
    }
}
