package dev.mailsync.oauth;

import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import dev.mailsync.imap.ImapLogin;
import dev.mailsync.imap.ImapLogins;
import dev.mailsync.mailbox.Mailbox;
import dev.mailsync.mailbox.MailboxRepository;
import dev.mailsync.mailbox.MailboxState;
import io.quarkus.narayana.jta.QuarkusTransaction;

/**
 * The one place that builds IMAP logins (for sync passes, push watchers and the API's sessions): the provider's
 * server, the mailbox's address and a fresh access token. A shared mailbox logs in as its own address with the Outlook
 * token of the mailbox whose grant reaches it ({@code via}), as Exchange Online takes delegated access over XOAUTH2.
 */
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
     * @throws ReauthorizationRequired the mailbox (or, for a shared one, the mailbox whose grant reaches it) needs its
     *         user to reconnect, or it is gone
     * @throws TokenUnavailable no token right now
     */
    @Override
    public ImapLogin login(UUID mailboxId) {
        Mailbox mailbox = QuarkusTransaction.requiringNew().call(() -> mailboxes.findById(mailboxId));
        if (mailbox == null) {
            throw new ReauthorizationRequired(mailboxId, "mailbox disconnected");
        }
        if (!mailbox.isShared()) {
            return login(mailbox.address, tokens.accessToken(mailboxId));
        }
        if (mailbox.state != MailboxState.ACTIVE) {
            throw new ReauthorizationRequired(mailboxId, mailbox.stateReason);
        }
        return sharedLogin(mailbox.via, mailbox.address);
    }

    /**
     * The login of the shared mailbox {@code address} with the grant of mailbox {@code viaId}: the user field is the
     * shared address, the token is {@code viaId}'s Outlook token.
     *
     * @throws ReauthorizationRequired {@code viaId} needs its user to reconnect, or it is gone
     * @throws TokenUnavailable no token right now
     */
    public ImapLogin sharedLogin(UUID viaId, String address) {
        return login(address, tokens.accessToken(viaId));
    }

    private ImapLogin login(String user, String token) {
        MicrosoftConfig.Server server = microsoft.imap();
        return new ImapLogin(server.host(), server.port(), server.tls(), user, token);
    }
}
