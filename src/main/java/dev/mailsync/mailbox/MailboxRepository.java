package dev.mailsync.mailbox;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.hibernate.orm.panache.PanacheRepositoryBase;

@ApplicationScoped
public class MailboxRepository implements PanacheRepositoryBase<Mailbox, UUID> {

    /** The user's mailbox with this id; another user's mailbox is as absent as an unknown one. */
    public Optional<Mailbox> findOwned(UUID id, String userId) {
        return find("id = ?1 and userId = ?2", id, userId).firstResultOptional();
    }

    public List<Mailbox> listOwned(String userId) {
        return list("userId = ?1 order by createdAt, id", userId);
    }

    /** The user's mailbox of this Microsoft account (tenant id + object id). */
    public Optional<Mailbox> findByAccount(String userId, String provider, String tenantId, String objectId) {
        return find("userId = ?1 and provider = ?2 and tenantId = ?3 and objectId = ?4", userId, provider, tenantId,
                objectId).firstResultOptional();
    }

    /**
     * Takes the mailbox's token-refresh lease for {@code owner} until {@code until}, unless another holds one that
     * has not run out at {@code now}; answers whether it did.
     */
    public boolean claimTokenRefresh(UUID id, String owner, Instant now, Instant until) {
        return update("tokenRefreshOwner = ?1, tokenRefreshUntil = ?2"
                + " where id = ?3 and (tokenRefreshUntil is null or tokenRefreshUntil < ?4)", owner, until, id,
                now) == 1;
    }

    /** Gives the token-refresh lease back (if {@code owner} still holds it). */
    public void releaseTokenRefresh(UUID id, String owner) {
        update("tokenRefreshOwner = null, tokenRefreshUntil = null where id = ?1 and tokenRefreshOwner = ?2", id,
                owner);
    }

    /** Serializes connects of one user until the transaction ends (a PostgreSQL advisory lock). */
    public void lockConnectsOf(String userId) {
        getEntityManager().createNativeQuery("select 1 from pg_advisory_xact_lock(hashtextextended(?1, 0))")
                .setParameter(1, "mailbox-connect:" + userId).getSingleResult();
    }

    /** The user's mailbox for this address connected before accounts were recorded (no object id yet). */
    public Optional<Mailbox> findLegacyByAddress(String userId, String provider, String address) {
        return find("userId = ?1 and provider = ?2 and address = ?3 and objectId is null and kind = ?4"
                + " order by createdAt, id", userId, provider, address, MailboxKind.PERSONAL).firstResultOptional();
    }

    /** The shared mailboxes reached with this mailbox's grant. */
    public List<Mailbox> listVia(UUID viaId) {
        return list("via = ?1 order by createdAt, id", viaId);
    }

    /** Whether the user has a mailbox with this address already, of either kind (a shared one through any mailbox). */
    public boolean hasAddress(String userId, String provider, String address) {
        return count("userId = ?1 and provider = ?2 and address = ?3", userId, provider, address) > 0;
    }
}
