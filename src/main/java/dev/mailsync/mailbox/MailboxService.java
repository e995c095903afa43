package dev.mailsync.mailbox;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.transaction.Transactional;

import dev.mailsync.common.db.Jdbc;
import dev.mailsync.common.problem.ProblemException;
import dev.mailsync.imap.ImapSessionPool;
import io.quarkus.logging.Log;

@ApplicationScoped
public class MailboxService {

    private final MailboxRepository mailboxes;
    private final Event<MailboxConnected> connected;
    private final Jdbc jdbc;
    private final ImapSessionPool imapSessions;

    public MailboxService(MailboxRepository mailboxes, Event<MailboxConnected> connected, Jdbc jdbc,
            ImapSessionPool imapSessions) {
        this.imapSessions = imapSessions;
        this.mailboxes = mailboxes;
        this.connected = connected;
        this.jdbc = jdbc;
    }

    public List<Mailbox> listMailboxes(String userId) {
        return mailboxes.listOwned(userId);
    }

    /**
     * Fails with 404 unless the mailbox is the user's: the check in front of every mailbox sub-resource, one
     * indexed lookup without an ORM session (the message list answers in a few milliseconds).
     */
    public void requireOwned(UUID id, String userId) {
        if (!jdbc.exists("select 1 from mailbox where id = ? and user_id = ?", id, userId)) {
            throw ProblemException.notFound("Mailbox " + id);
        }
    }

    public Mailbox getMailbox(UUID id, String userId) {
        return mailboxes.findOwned(id, userId).orElseThrow(() -> ProblemException.notFound("Mailbox " + id));
    }

    /**
     * Connects a mailbox, or re-links the user's mailbox of the same Microsoft account (tenant + object id): new
     * tokens, state cleared, address and name as the account has them now. A mailbox connected before accounts
     * were recorded is found once by its address and gets the account's ids.
     */
    @Transactional
    public Mailbox connectMailbox(NewConnection connection) {
        // one connect at a time per user: two finishing together for one account must not insert it twice
        mailboxes.lockConnectsOf(connection.userId());
        Instant now = Instant.now();
        String address = connection.address().toLowerCase();
        Mailbox mailbox = mailboxes.findByAccount(connection.userId(), connection.provider(), connection.tenantId(),
                        connection.objectId())
                .or(() -> mailboxes.findLegacyByAddress(connection.userId(), connection.provider(), address))
                .orElseGet(() -> {
                    Mailbox created = new Mailbox();
                    created.id = UUID.randomUUID();
                    created.userId = connection.userId();
                    created.provider = connection.provider();
                    created.createdAt = now;
                    return created;
                });
        boolean relinked = mailbox.updatedAt != null;
        mailbox.tenantId = connection.tenantId();
        mailbox.objectId = connection.objectId();
        mailbox.address = address;
        mailbox.displayName = connection.displayName();
        mailbox.state = MailboxState.ACTIVE;
        mailbox.stateReason = null;
        mailbox.accessToken(connection.accessToken());
        mailbox.accessTokenExpiresAt = connection.accessTokenExpiresAt();
        mailbox.refreshToken(connection.refreshToken());
        mailbox.scopes = connection.scopes();
        mailbox.forgetGraphGrant();
        mailbox.updatedAt = now;
        mailboxes.persist(mailbox);
        mailboxes.flush();
        connected.fire(new MailboxConnected(mailbox.id));
        Log.infof("Mailbox %s %s for user %s", mailbox.id, relinked ? "re-linked" : "connected", connection.userId());
        return mailbox;
    }

    /** Disconnects: the mailbox, its tokens and everything stored for it are deleted. */
    @Transactional
    public void disconnectMailbox(UUID id, String userId) {
        Mailbox mailbox = getMailbox(id, userId);
        mailboxes.delete(mailbox);
        imapSessions.closeAll(id); // this replica's idle API sessions; other replicas' close at their next use
        Log.infof("Mailbox %s disconnected by user %s", id, userId);
    }

    /** What a completed authorization brings. {@code toString()} leaves the tokens out. */
    public record NewConnection(String userId, String provider, String tenantId, String objectId, String address,
            String displayName, String accessToken, Instant accessTokenExpiresAt, String refreshToken, String scopes) {

        @Override
        public String toString() {
            return "NewConnection[userId=" + userId + ", provider=" + provider + "]";
        }
    }
}
