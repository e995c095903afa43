package dev.mailsync.oauth;

import java.time.Instant;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;

import io.quarkus.hibernate.orm.panache.PanacheRepositoryBase;

/** Finished sign-ins waiting to be attached, by the hash of their one-time value. */
@ApplicationScoped
public class PendingConnectionRepository implements PanacheRepositoryBase<PendingConnection, String> {

    /** Finds and deletes the row under a row lock: of two completes with the same value, one gets it. */
    public Optional<PendingConnection> take(String connectionHash) {
        Optional<PendingConnection> found = findByIdOptional(connectionHash, LockModeType.PESSIMISTIC_WRITE);
        found.ifPresent(this::delete);
        return found;
    }

    public long deleteExpired(Instant before) {
        return delete("expiresAt < ?1", before);
    }
}
