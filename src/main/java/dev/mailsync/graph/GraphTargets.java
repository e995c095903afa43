package dev.mailsync.graph;

import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import dev.mailsync.oauth.AccessTokens;

/** Whose mailbox a Graph request for a mailsync mailbox addresses, and with which token. */
@ApplicationScoped
public class GraphTargets {

    private final AccessTokens tokens;

    public GraphTargets(AccessTokens tokens) {
        this.tokens = tokens;
    }

    /**
     * The mailbox's own Graph mailbox ({@code me}) with its Graph token.
     *
     * @throws dev.mailsync.oauth.GraphConsentMissing the mailbox's consent lacks Graph
     */
    public GraphTarget forMailbox(UUID mailboxId) {
        return new GraphTarget("me", tokens.graphToken(mailboxId));
    }
}
