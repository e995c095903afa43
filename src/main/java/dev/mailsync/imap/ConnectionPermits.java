package dev.mailsync.imap;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * The per-mailbox cap on IMAP connections of this replica ({@code mailsync.imap.max-connections-per-mailbox}): a
 * fair semaphore per mailbox. Every connection holds a permit for as long as it is open: sync passes, push watchers,
 * the outbox's lookups and the API's pooled sessions (idle ones too). The cap is per replica: see
 * docs/design.md, "Exchange Online's IMAP limits", for the bound across replicas.
 */
@ApplicationScoped
public class ConnectionPermits {

    private final int cap;
    private final Map<UUID, Semaphore> semaphores = new ConcurrentHashMap<>();
    private volatile Predicate<UUID> reclaimIdle = mailboxId -> false;

    @Inject
    public ConnectionPermits(ImapConfig config) {
        this(config.maxConnectionsPerMailbox());
    }

    ConnectionPermits(int cap) {
        this.cap = cap;
    }

    /** The cap: connections a mailbox may have open on this replica. */
    public int cap() {
        return cap;
    }

    /** A permit at once, or empty when all are taken. */
    public Optional<Permit> tryAcquire(UUID mailboxId) {
        return semaphore(mailboxId).tryAcquire() ? Optional.of(new Permit(mailboxId))
                : Optional.empty();
    }

    /**
     * Waits at most {@code wait} for a permit of the mailbox.
     *
     * @throws ImapBusy none became free in time
     */
    public Permit acquire(UUID mailboxId, Duration wait) {
        Semaphore semaphore = semaphore(mailboxId);
        if (semaphore.tryAcquire()) {
            return new Permit(mailboxId);
        }
        reclaimIdle.test(mailboxId); // an idle pooled session gives its permit to someone at work
        try {
            if (semaphore.tryAcquire(wait.toNanos(), TimeUnit.NANOSECONDS)) {
                return new Permit(mailboxId);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        throw new ImapBusy(mailboxId, cap, wait);
    }

    /** How to free a permit held by an idle connection of a mailbox ({@code true} when one was closed). */
    void reclaimIdleWith(Predicate<UUID> reclaim) {
        reclaimIdle = reclaim;
    }

    /** Connections of the mailbox open on this replica now (permits taken). */
    public int inUse(UUID mailboxId) {
        Semaphore s = semaphores.get(mailboxId);
        return s == null ? 0 : cap - s.availablePermits();
    }

    private Semaphore semaphore(UUID mailboxId) {
        // one small object per mailbox ever used on this replica (a few thousand): kept, never removed, so that a
        // permit is always given back to the semaphore it came from
        return semaphores.computeIfAbsent(mailboxId, id -> new Semaphore(cap, true));
    }

    /** One connection's share of a mailbox's cap; released once, however often {@link #close} is called. */
    public final class Permit implements AutoCloseable {

        private final UUID mailboxId;
        private final AtomicBoolean released = new AtomicBoolean();

        private Permit(UUID mailboxId) {
            this.mailboxId = mailboxId;
        }

        public UUID mailboxId() {
            return mailboxId;
        }

        @Override
        public void close() {
            if (released.compareAndSet(false, true)) {
                semaphores.get(mailboxId).release();
            }
        }
    }
}
