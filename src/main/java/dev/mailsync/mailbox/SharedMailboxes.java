package dev.mailsync.mailbox;

import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;

import dev.mailsync.common.problem.Problem.FieldError;
import dev.mailsync.common.problem.ProblemCode;
import dev.mailsync.common.problem.ProblemException;
import io.quarkus.logging.Log;
import io.quarkus.narayana.jta.QuarkusTransaction;

/**
 * Adds shared mailboxes: a mailbox reached with the grant of one of the user's mailboxes (its {@code via}), with no
 * tokens of its own. The access is tried on the mail server first (one login, outside any transaction), so a user
 * without access learns it now and no row is left behind; then the row is added and synced like a new mailbox.
 */
@ApplicationScoped
public class SharedMailboxes {

    private final MailboxRepository mailboxes;
    private final SharedAccess access;
    private final Event<MailboxConnected> connected;

    public SharedMailboxes(MailboxRepository mailboxes, SharedAccess access, Event<MailboxConnected> connected) {
        this.mailboxes = mailboxes;
        this.access = access;
        this.connected = connected;
    }

    /**
     * Adds the shared mailbox {@code address} reached through the user's mailbox {@code viaId}.
     *
     * @throws ProblemException 404 when {@code viaId} is not the user's mailbox (or is a shared one itself), 409
     *         {@code mailbox_not_active} when it must be reconnected first, 400 for its own address, 409
     *         {@code shared_mailbox_exists}, and what {@link SharedAccess#verify} answers
     */
    public Mailbox add(UUID viaId, String userId, String address) {
        String normalized = address.toLowerCase(Locale.ROOT);
        QuarkusTransaction.requiringNew().run(() -> checkAddable(viaId, userId, normalized));
        access.verify(viaId, normalized);
        Mailbox shared = QuarkusTransaction.requiringNew().call(() -> insert(viaId, userId, normalized));
        Log.infof("Shared mailbox %s added through mailbox %s for user %s", shared.id, viaId, userId);
        return shared;
    }

    /** Fails unless the shared mailbox may be added now (checked again under the user's lock before the insert). */
    private Mailbox checkAddable(UUID viaId, String userId, String address) {
        Mailbox via = mailboxes.findOwned(viaId, userId).orElseThrow(() -> ProblemException.notFound("Mailbox " + viaId));
        if (via.isShared()) {
            throw new ProblemException(ProblemCode.NOT_FOUND, "Mailbox " + viaId + " is a shared mailbox itself: add "
                    + "shared mailboxes through the mailbox whose sign-in reaches them");
        }
        if (via.state != MailboxState.ACTIVE) {
            throw new ProblemException(ProblemCode.MAILBOX_NOT_ACTIVE, "Mailbox " + viaId + " must be connected again "
                    + "before shared mailboxes can be added through it (" + via.state.name().toLowerCase() + ")");
        }
        if (via.address.equals(address)) {
            throw ProblemException.invalid(List.of(new FieldError("address",
                    "is the address of the mailbox itself; name a shared mailbox")));
        }
        if (mailboxes.hasAddress(userId, via.provider, address)) {
            throw new ProblemException(ProblemCode.SHARED_MAILBOX_EXISTS, address
                    + " is already one of this user's mailboxes");
        }
        return via;
    }

    private Mailbox insert(UUID viaId, String userId, String address) {
        mailboxes.lockConnectsOf(userId); // with connects and other adds of this user: no duplicate address
        Mailbox via = checkAddable(viaId, userId, address);
        Instant now = Instant.now();
        Mailbox shared = new Mailbox();
        shared.id = UUID.randomUUID();
        shared.userId = userId;
        shared.provider = via.provider;
        shared.tenantId = via.tenantId;
        shared.kind = MailboxKind.SHARED;
        shared.via = via.id;
        shared.address = address;
        shared.state = MailboxState.ACTIVE;
        shared.createdAt = now;
        shared.updatedAt = now;
        mailboxes.persist(shared);
        mailboxes.flush();
        connected.fire(new MailboxConnected(shared.id)); // synced at once, after the commit
        return shared;
    }
}
