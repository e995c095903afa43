package dev.mailsync.imap;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.mail.MessagingException;

import io.quarkus.logging.Log;

/**
 * Authenticated sessions for the API's operations (downloads, flags, moves, deletes), kept per mailbox for
 * {@code mailsync.imap.session-idle} after use, so that a user clicking through mail does not cost a login per click.
 * A pooled session holds its permit while idle (it is an open connection); a sync pass or watcher short of a permit
 * closes one. A session whose work failed is closed, never pooled again; a reused one that turns out broken is
 * replaced and the work done again once, when that is safe: reads, and writes before any change was sent. Each use
 * still asks {@link ImapLogins} for the mailbox's login (a stored token, refreshed when due), so a mailbox that needs
 * reconnecting or was disconnected loses its pooled sessions at its next operation; idle ones close with the
 * timeout, and all close at shutdown.
 */
@ApplicationScoped
public class ImapSessionPool {

    /** A pooled session is not reused this long after its login (the token it logged in with has long expired). */
    static final Duration MAX_AGE = Duration.ofMinutes(10);

    private final ImapConnector connector;
    private final ImapLogins logins;
    private final ConnectionPermits permits;
    private final ImapBackoff backoff;
    private final Duration idle;
    private final Map<UUID, Deque<Idle>> pooled = new ConcurrentHashMap<>();
    private final ScheduledExecutorService reaper = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "imap-pool-reaper");
        t.setDaemon(true);
        return t;
    });

    private record Idle(ImapSession session, long loggedInAt, long since) {
    }

    public ImapSessionPool(ImapConnector connector, ImapLogins logins, ConnectionPermits permits, ImapBackoff backoff,
            ImapConfig config) {
        this.connector = connector;
        this.logins = logins;
        this.permits = permits;
        this.backoff = backoff;
        this.idle = config.sessionIdle();
        permits.reclaimIdleWith(this::closeOneIdle);
        long every = Math.max(1000, idle.toMillis() / 3);
        reaper.scheduleWithFixedDelay(this::closeExpired, every, every, TimeUnit.MILLISECONDS);
    }

    /** Work with a session of the mailbox. */
    public interface Work<T> {
        T run(ImapSession session) throws MessagingException, IOException;
    }

    /**
     * Runs {@code work} on a pooled session of the mailbox (or a new one), and pools the session again afterwards.
     *
     * @param reads {@code true} when the work only reads: it is done again on a fresh session if a reused one
     *        turns out broken; otherwise only when no change had been sent yet
     * @throws ImapThrottled the mailbox backs off, or the server throttled this work (recorded)
     * @throws ImapBusy all the mailbox's connections stayed in use for {@code mailsync.imap.permit-wait}
     */
    public <T> T run(UUID mailboxId, boolean reads, Work<T> work) throws MessagingException, IOException {
        return runLeased(mailboxId, reads, lease -> work.run(lease.session()));
    }

    /**
     * Like {@link #run}, for work that may {@link Lease#keep} the session beyond the call (a download about to be
     * streamed); then the work's result owns the lease and ends it.
     */
    public <T> T runLeased(UUID mailboxId, boolean reads, LeasedWork<T> work) throws MessagingException, IOException {
        Lease lease = borrow(mailboxId);
        try {
            T result;
            try {
                result = work.run(lease);
            } catch (MessagingException | IOException | IllegalStateException e) {
                // IllegalStateException: Angus on a connection that just closed
                if (!lease.reused() || !ImapSession.connectionLost(e) || (!reads && lease.session().writesSent() > 0)
                        || ThrottleReplies.backoff(e).isPresent()) {
                    throw e;
                }
                Log.debugf("A pooled IMAP session of mailbox %s was broken (%s); trying again on a new one",
                        mailboxId, e.getMessage());
                lease.fail();
                lease = fresh(mailboxId, logins.login(mailboxId));
                result = work.run(lease);
            }
            lease.endUnlessKept();
            return result;
        } catch (MessagingException | IOException | IllegalStateException e) {
            lease.fail();
            throwIfThrottled(mailboxId, e);
            throw e;
        } catch (RuntimeException e) {
            lease.endUnlessKept(); // the work's own verdict (not found, changed): the session is fine
            throw e;
        }
    }

    /** Work with a pooled session that may keep it beyond the call. */
    public interface LeasedWork<T> {
        T run(Lease lease) throws MessagingException, IOException;
    }

    /** A failure of a pooled session that is a throttling reply is recorded and thrown as {@link ImapThrottled}. */
    private void throwIfThrottled(UUID mailboxId, Exception failure) {
        Optional<ImapThrottled> throttled = backoff.recognise(mailboxId, failure, ImapUse.API.label());
        if (throttled.isPresent()) {
            throw throttled.get();
        }
    }

    /** An idle session of the mailbox, or a new one: {@link Lease#close} pools it again, {@link Lease#fail} closes it. */
    private Lease borrow(UUID mailboxId) throws MessagingException {
        backoff.checkKnown(mailboxId);
        ImapLogin login;
        try {
            login = logins.login(mailboxId); // the mailbox may no longer be allowed to log in at all
        } catch (RuntimeException e) {
            closeAll(mailboxId);
            throw e;
        }
        Deque<Idle> idleSessions = pooled.get(mailboxId);
        long now = System.nanoTime();
        while (idleSessions != null) {
            Idle reusable;
            synchronized (idleSessions) {
                reusable = idleSessions.pollFirst();
            }
            if (reusable == null) {
                break;
            }
            if (now - reusable.loggedInAt() < MAX_AGE.toNanos()) {
                return new Lease(mailboxId, reusable.session(), reusable.loggedInAt(), true);
            }
            reusable.session().close();
        }
        return fresh(mailboxId, login);
    }

    private Lease fresh(UUID mailboxId, ImapLogin login) throws MessagingException {
        backoff.check(mailboxId);
        ConnectionPermits.Permit permit = permits.acquire(mailboxId, connector.permitWait(ImapUse.API));
        return new Lease(mailboxId, connector.login(mailboxId, login, permit), System.nanoTime(), false);
    }

    /** Closes the mailbox's idle sessions (it was disconnected or must be reconnected). */
    public void closeAll(UUID mailboxId) {
        Deque<Idle> idleSessions = pooled.remove(mailboxId);
        if (idleSessions != null) {
            List<Idle> closing;
            synchronized (idleSessions) {
                closing = List.copyOf(idleSessions);
                idleSessions.clear();
            }
            closing.forEach(i -> i.session().close());
        }
    }

    /** Idle sessions of the mailbox on this replica now. */
    public int idle(UUID mailboxId) {
        Deque<Idle> idleSessions = pooled.get(mailboxId);
        if (idleSessions == null) {
            return 0;
        }
        synchronized (idleSessions) {
            return idleSessions.size();
        }
    }

    @PreDestroy
    void shutdown() {
        reaper.shutdownNow();
        List.copyOf(pooled.keySet()).forEach(this::closeAll);
    }

    private boolean closeOneIdle(UUID mailboxId) {
        Deque<Idle> idleSessions = pooled.get(mailboxId);
        if (idleSessions == null) {
            return false;
        }
        Idle oldest;
        synchronized (idleSessions) {
            oldest = idleSessions.pollLast();
        }
        if (oldest == null) {
            return false;
        }
        oldest.session().close();
        return true;
    }

    private void closeExpired() {
        long now = System.nanoTime();
        pooled.forEach((mailboxId, idleSessions) -> {
            List<Idle> expired = new java.util.ArrayList<>();
            synchronized (idleSessions) {
                idleSessions.removeIf(i -> now - i.since() >= idle.toNanos() && expired.add(i));
            }
            expired.forEach(i -> i.session().close());
        });
    }

    /** A session taken from the pool; give it back with {@link #close}, or {@link #fail} it. */
    public final class Lease implements AutoCloseable {

        private final UUID mailboxId;
        private final ImapSession session;
        private final long loggedInAt;
        private final boolean reused;
        private boolean done;
        private boolean kept;

        private Lease(UUID mailboxId, ImapSession session, long loggedInAt, boolean reused) {
            this.mailboxId = mailboxId;
            this.session = session;
            this.loggedInAt = loggedInAt;
            this.reused = reused;
        }

        public ImapSession session() {
            return session;
        }

        /** Whether the session was used before (no login for this lease). */
        public boolean reused() {
            return reused;
        }

        /** The work's result owns the lease from now on, and ends it ({@link #close} or {@link #fail}). */
        public void keep() {
            kept = true;
        }

        private void endUnlessKept() {
            if (!kept) {
                close();
            }
        }

        /** The work is done and the session fine: it waits in the pool for the mailbox's next operation. */
        @Override
        public void close() {
            if (done) {
                return;
            }
            done = true;
            session.rest();
            Deque<Idle> idleSessions = pooled.computeIfAbsent(mailboxId, id -> new ArrayDeque<>());
            synchronized (idleSessions) {
                idleSessions.addFirst(new Idle(session, loggedInAt, System.nanoTime()));
            }
        }

        /** Records a throttling reply met after the call, while the kept session was still at work. */
        public void recordIfThrottled(Exception failure) {
            backoff.recognise(mailboxId, failure, ImapUse.API.label());
        }

        /** The work failed: the session is closed, not pooled. */
        public void fail() {
            if (!done) {
                done = true;
                session.close();
            }
        }
    }
}
