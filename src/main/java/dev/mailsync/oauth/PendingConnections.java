package dev.mailsync.oauth;

import java.time.Duration;
import java.time.Instant;

import jakarta.enterprise.context.ApplicationScoped;

import dev.mailsync.common.problem.ProblemCode;
import dev.mailsync.common.problem.ProblemException;
import dev.mailsync.mailbox.Mailbox;
import dev.mailsync.mailbox.MailboxService;
import dev.mailsync.mailbox.MailboxService.NewConnection;
import io.quarkus.logging.Log;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.scheduler.Scheduled;

/**
 * The second step of connecting. State and PKCE prove that the sign-in came back to the flow that was started, not
 * who signed in: a user could start a flow and get a colleague to sign in at the authorization URL. So the callback
 * only keeps the grant, and the user who started the flow attaches it with their own bearer token. Anyone else
 * presenting the value burns it, so a forwarded link is good for nothing.
 */
@ApplicationScoped
public class PendingConnections {

    static final Duration PURGE_GRACE = Duration.ofMinutes(5);

    private final PendingConnectionRepository pendingConnections;
    private final PendingAuthorizationRepository pendingAuthorizations;
    private final MailboxService mailboxes;
    private final MicrosoftConfig config;
    private final GraphProfile profile;

    public PendingConnections(PendingConnectionRepository pendingConnections,
            PendingAuthorizationRepository pendingAuthorizations, MailboxService mailboxes, MicrosoftConfig config,
            GraphProfile profile) {
        this.pendingConnections = pendingConnections;
        this.pendingAuthorizations = pendingAuthorizations;
        this.mailboxes = mailboxes;
        this.config = config;
        this.profile = profile;
    }

    /** Keeps a finished sign-in for its user; answers the one-time value for the browser (only its hash is stored). */
    String keep(NewConnection grant) {
        String connection = Randoms.token();
        Instant now = Instant.now();
        QuarkusTransaction.requiringNew().run(() -> {
            pendingConnections.deleteExpired(now);
            PendingConnection pending = new PendingConnection();
            pending.connectionHash = Randoms.sha256(connection);
            pending.userId = grant.userId();
            pending.provider = grant.provider();
            pending.tenantId = grant.tenantId();
            pending.objectId = grant.objectId();
            pending.address = grant.address().toLowerCase();
            pending.displayName = grant.displayName();
            pending.accessToken(grant.accessToken());
            pending.accessTokenExpiresAt = grant.accessTokenExpiresAt();
            pending.refreshToken(grant.refreshToken());
            pending.scopes = grant.scopes();
            pending.createdAt = now;
            pending.expiresAt = now.plus(config.authorizationTtl());
            pendingConnections.persist(pending);
        });
        Log.infof("Connect flow of user %s signed in; waiting for the user to complete it", grant.userId());
        return connection;
    }

    /**
     * Attaches the pending connection to the user's mailboxes. The connection is consumed whatever the outcome,
     * in the same transaction that attaches it: of two concurrent calls, one attaches and the other finds nothing.
     * Then, outside that transaction, Graph's profile refines the mailbox's name and address ({@link GraphProfile}).
     *
     * @throws ProblemException 404 {@code connection_invalid} (unknown or used), 403 {@code connection_not_yours}
     *         (started by another user: discarded), 410 {@code connection_expired}
     */
    public Mailbox complete(String connection, String userId) {
        Instant now = Instant.now();
        String hash = Randoms.sha256(connection);
        Outcome outcome = QuarkusTransaction.requiringNew().call(() -> {
            // no other rows are touched while this one is locked: two completes cannot deadlock
            PendingConnection pending = pendingConnections.take(hash).orElse(null);
            if (pending == null) {
                return new Outcome(null, new ProblemException(ProblemCode.CONNECTION_INVALID,
                        "This connection is unknown or was already used: connect the mailbox again"));
            }
            if (!pending.userId.equals(userId)) {
                Log.warnf("Pending connection of user %s presented by user %s: discarded", pending.userId, userId);
                return new Outcome(null, new ProblemException(ProblemCode.CONNECTION_NOT_YOURS,
                        "This sign-in was started by another user and has been discarded: connect the mailbox "
                                + "from your own account"));
            }
            if (pending.expiresAt.isBefore(now)) {
                return new Outcome(null, new ProblemException(ProblemCode.CONNECTION_EXPIRED,
                        "This connection was not completed in time: connect the mailbox again"));
            }
            return new Outcome(mailboxes.connectMailbox(new NewConnection(userId, pending.provider,
                    pending.tenantId, pending.objectId, pending.address, pending.displayName, pending.accessToken(),
                    pending.accessTokenExpiresAt, pending.refreshToken(), pending.scopes)), null);
        });
        if (outcome.refusal() != null) {
            throw outcome.refusal();
        }
        return profile.refine(outcome.mailbox());
    }

    /**
     * Deletes both kinds of pending rows a while after they expired, so an abandoned sign-in's tokens do not stay
     * (a refused complete of a just-expired one still answers 410 rather than 404 for these minutes).
     */
    @Scheduled(every = "5m", delayed = "1m", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void purgeExpired() {
        Instant before = Instant.now().minus(PURGE_GRACE);
        QuarkusTransaction.requiringNew().run(() -> {
            long connections = pendingConnections.deleteExpired(before);
            long authorizations = pendingAuthorizations.deleteExpired(before);
            if (connections + authorizations > 0) {
                Log.infof("Purged %d expired pending connections and %d expired sign-ins", connections,
                        authorizations);
            }
        });
    }

    /** Either the mailbox or why not: a refusal is thrown after the commit, so the consumed row stays deleted. */
    private record Outcome(Mailbox mailbox, ProblemException refusal) {
    }
}
