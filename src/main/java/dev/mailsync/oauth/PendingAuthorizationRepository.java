package dev.mailsync.oauth;

import java.time.Instant;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;

import io.quarkus.hibernate.orm.panache.PanacheRepositoryBase;

/** Started sign-ins, by the hash of their state. */
@ApplicationScoped
public class PendingAuthorizationRepository implements PanacheRepositoryBase<PendingAuthorization, String> {

    /** Finds and deletes the row under a row lock: of two callbacks with the same state, one gets it. */
    public Optional<PendingAuthorization> take(String stateHash) {
        Optional<PendingAuthorization> found = findByIdOptional(stateHash, LockModeType.PESSIMISTIC_WRITE);
        found.ifPresent(this::delete);
        return found;
    }

    public long deleteExpired(Instant before) {
        return delete("expiresAt < ?1", before);
    }
}
