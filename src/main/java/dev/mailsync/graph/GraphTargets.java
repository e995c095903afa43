package dev.mailsync.graph;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import dev.mailsync.mailbox.Mailbox;
import dev.mailsync.mailbox.MailboxRepository;
import dev.mailsync.oauth.AccessTokens;
import dev.mailsync.oauth.ReauthorizationRequired;
import io.quarkus.narayana.jta.QuarkusTransaction;

/**
 * Whose mailbox a Graph request for a mailsync mailbox addresses, and with which token: a mailbox's own
 * ({@code me}, its Graph token), or for a shared mailbox {@code users/{address}} with its delegate's Graph token
 * (which needs Send As or Send on Behalf on it; Graph answers {@code ErrorSendAsDenied} otherwise).
 */
@ApplicationScoped
public class GraphTargets {

    private final AccessTokens tokens;
    private final MailboxRepository mailboxes;

    public GraphTargets(AccessTokens tokens, MailboxRepository mailboxes) {
        this.tokens = tokens;
        this.mailboxes = mailboxes;
    }

    /**
     * @throws dev.mailsync.oauth.GraphConsentMissing the (delegate's) consent lacks Graph
     * @throws ReauthorizationRequired the mailbox is gone or must be reconnected
     */
    public GraphTarget forMailbox(UUID mailboxId) {
        Mailbox mailbox = QuarkusTransaction.requiringNew().call(() -> mailboxes.findById(mailboxId));
        if (mailbox == null) {
            throw new ReauthorizationRequired(mailboxId, "mailbox disconnected");
        }
        if (mailbox.isShared()) {
            return new GraphTarget("users/" + URLEncoder.encode(mailbox.address, StandardCharsets.UTF_8),
                    tokens.graphToken(mailbox.via));
        }
        return new GraphTarget("me", tokens.graphToken(mailboxId));
    }
}
