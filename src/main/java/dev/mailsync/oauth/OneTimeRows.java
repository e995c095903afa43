package dev.mailsync.oauth;

import java.time.Instant;
import java.util.Optional;

import jakarta.persistence.LockModeType;

import io.quarkus.hibernate.orm.panache.PanacheRepositoryBase;

/**
 * Rows that are used once, found by the hash of a one-time value (a sign-in's state, a connection's value) and
 * kept until their {@code expiresAt}.
 */
interface OneTimeRows<E> extends PanacheRepositoryBase<E, String> {

    /** Finds and deletes the row under a row lock: of two requests with the same value, one gets it. */
    default Optional<E> take(String hash) {
        Optional<E> found = findByIdOptional(hash, LockModeType.PESSIMISTIC_WRITE);
        found.ifPresent(this::delete);
        return found;
    }

    default long deleteExpired(Instant before) {
        return delete("expiresAt < ?1", before);
    }
}
