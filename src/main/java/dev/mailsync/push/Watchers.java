package dev.mailsync.push;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.annotation.PreDestroy;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import dev.mailsync.common.ReplicaId;
import dev.mailsync.common.db.Jdbc;
import dev.mailsync.imap.ImapLogins;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.scheduler.Scheduled;
import io.vertx.core.Vertx;

/**
 * This replica's share of the watches. Every {@code mailsync.push.poll} it says it is alive, renews its watch leases
 * (a lease it lost stops its watch), then holds its fair share of the watchable mailboxes: it claims up to
 * {@code ceil(watchable / live replicas)} and gives the excess back when a replica has joined. Each watched mailbox
 * keeps its INBOX and pushed folders in IDLE, within {@code mailsync.push.connections-per-mailbox}. At SIGTERM it
 * logs out and releases every watch at once, so the other replicas take them at their next poll.
 */
@ApplicationScoped
public class Watchers implements MailboxWatch.Verdicts {

    /** Threads fetching access tokens for connections (a database read, sometimes a refresh at Entra). */
    private static final int LOGIN_THREADS = 4;

    private final WatchLeases leases;
    private final PushConfig config;
    private final PushMetrics metrics;
    private final MailboxWatch.Parts parts;
    private final ExecutorService blocking;
    private final Map<UUID, MailboxWatch> watches = new ConcurrentHashMap<>();
    private volatile boolean stopping;

    @Inject
    public Watchers(WatchLeases leases, PushConfig config, PushMetrics metrics, IdleConnector connector,
            ImapLogins logins, PushPasses passes, Vertx vertx) {
        this(leases, config, metrics, connector, logins, passes, vertx, ReplicaId.get());
    }

    /** A replica of its own name (tests run two in one process). */
    Watchers(WatchLeases leases, PushConfig config, PushMetrics metrics, IdleConnector connector, ImapLogins logins,
            PushPasses passes, Vertx vertx, String owner) {
        this.leases = leases;
        this.config = config;
        this.metrics = metrics;
        AtomicInteger n = new AtomicInteger();
        this.blocking = Executors.newFixedThreadPool(LOGIN_THREADS, r -> {
            Thread t = new Thread(r, "push-login-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.parts = new MailboxWatch.Parts(connector, logins, blocking, passes, metrics, leases, vertx,
                new Backoff(config.reconnectMin(), config.reconnectMax()), owner);
    }

    @Scheduled(every = "{mailsync.push.poll}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void scheduled() {
        if (config.enabled()) {
            try {
                poll();
            } catch (Jdbc.Failed e) {
                // the database is away for a moment: the watches go on; leases not renewed in time move elsewhere
                Log.warnf("Push poll failed: %s", e.getMessage());
            }
        }
    }

    /** One round: alive, renew, then claim or give back to reach the fair share. */
    synchronized void poll() {
        if (stopping) {
            return;
        }
        String owner = parts.owner();
        WatchLeases.Census census = leases.census(owner);
        List<WatchLeases.Held> held = new ArrayList<>(leases.renew(owner));
        Set<UUID> kept = new HashSet<>();
        held.forEach(h -> kept.add(h.mailboxId()));
        watches.keySet().stream().filter(id -> !kept.contains(id)).toList().forEach(id -> {
            Log.infof("The watch of mailbox %s moved away (lease lost or mailbox inactive)", id);
            stopWatch(id);
        });
        FairShare share = FairShare.of(census.watchable(), census.replicas(), held.size());
        if (share.toRelease() > 0) {
            List<WatchLeases.Held> excess = held.subList(held.size() - share.toRelease(), held.size());
            List<UUID> ids = excess.stream().map(WatchLeases.Held::mailboxId).toList();
            ids.forEach(this::stopWatch);
            leases.release(owner, ids);
            Log.infof("Gave back %d watches (fair share %d of %d mailboxes, %d replicas)", ids.size(),
                    share.share(), census.watchable(), census.replicas());
            excess.clear();
        }
        held.addAll(leases.claim(owner, share.toClaim()));
        for (WatchLeases.Held h : held) {
            watches.computeIfAbsent(h.mailboxId(), id -> new MailboxWatch(id, parts, this))
                    .watch(budget(h.folders(), config.connectionsPerMailbox()));
        }
        metrics.watching(watches.size());
    }

    /** INBOX first, then the pushed folders by name (as the lease query orders them), as many as the budget allows. */
    static List<String> budget(List<String> folders, int connections) {
        return folders.subList(0, Math.min(folders.size(), Math.max(connections, 0)));
    }

    /** Mailboxes watched on this replica now. */
    Set<UUID> watched() {
        return Set.copyOf(watches.keySet());
    }

    /** The folders in IDLE now of a watched mailbox (empty when not watched here). */
    List<String> idling(UUID mailboxId) {
        MailboxWatch w = watches.get(mailboxId);
        return w == null ? List.of() : w.idling();
    }

    String owner() {
        return parts.owner();
    }

    @Override
    public void notSupported(UUID mailboxId) {
        stopWatch(mailboxId);
        blocking.execute(() -> leases.noIdle(mailboxId, parts.owner()));
    }

    @Override
    public void reauthorizationRequired(UUID mailboxId) {
        stopWatch(mailboxId);
        blocking.execute(() -> leases.release(parts.owner(), List.of(mailboxId)));
    }

    private void stopWatch(UUID mailboxId) {
        MailboxWatch w = watches.remove(mailboxId);
        if (w != null) {
            w.stop();
        }
        metrics.watching(watches.size());
    }

    /**
     * Stops watching and gives every watch back at once (SIGTERM, or a test's replica leaving): the other replicas
     * claim them at their next poll.
     */
    public synchronized void leave() {
        stopping = true;
        List<UUID> ids = List.copyOf(watches.keySet());
        ids.forEach(this::stopWatch);
        try {
            leases.release(parts.owner(), ids);
            leases.leave(parts.owner());
            if (!ids.isEmpty()) {
                Log.infof("Released %d watches at shutdown", ids.size());
            }
        } catch (RuntimeException e) {
            Log.warnf("Could not release the watches at shutdown (they run out after %s): %s", config.lease(),
                    e.getMessage());
        }
    }

    /** Before the sync's and the outbox's shutdown graces (they wait for work to finish; a watch has none). */
    void onShutdown(@Observes @Priority(1) ShutdownEvent event) {
        leave();
    }

    @PreDestroy
    void close() {
        blocking.shutdownNow();
    }
}
