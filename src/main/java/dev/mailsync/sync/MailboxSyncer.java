package dev.mailsync.sync;

import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.FolderClosedException;
import jakarta.mail.MessagingException;
import jakarta.mail.StoreClosedException;

import org.jboss.logging.MDC;

import dev.mailsync.imap.FolderSnapshot;
import dev.mailsync.imap.ImapConnector;
import dev.mailsync.imap.ImapSession;
import dev.mailsync.imap.RawMessage;
import dev.mailsync.imap.RemoteFolder;
import dev.mailsync.imap.ServerMessage;
import dev.mailsync.message.Folder;
import dev.mailsync.message.MessageFlags;
import dev.mailsync.message.MessageStore;
import dev.mailsync.message.MimeReader;
import dev.mailsync.message.NewMessage;
import dev.mailsync.oauth.ReauthorizationRequired;
import dev.mailsync.oauth.TokenUnavailable;
import io.quarkus.logging.Log;
import io.quarkus.narayana.jta.QuarkusTransaction;

/**
 * One sync pass of one mailbox, under a lease: a fresh access token, one IMAP connection, the folder list,
 * then each synced folder. Network I/O happens outside transactions; each batch is stored in a short
 * transaction of its own, so a pass cut anywhere loses nothing and the next pass carries on.
 */
@ApplicationScoped
public class MailboxSyncer {

    private final ImapConnector imapConnector;
    private final MessageStore store;
    private final SyncLeases leases;
    private final SyncConfig config;
    private final ExecutorService storeWorkers;
    private final ExecutorService parseWorkers;
    private final SyncMetrics metrics;
    private final Map<UUID, ImapSession> open = new ConcurrentHashMap<>();
    private final Set<UUID> aborted = ConcurrentHashMap.newKeySet();

    public MailboxSyncer(ImapConnector imapConnector, MessageStore store, SyncLeases leases, SyncConfig config,
            SyncMetrics metrics) {
        this.imapConnector = imapConnector;
        this.store = store;
        this.leases = leases;
        this.config = config;
        this.metrics = metrics;
        this.storeWorkers = Executors.newFixedThreadPool(2 * config.concurrency(), r -> {
            Thread t = new Thread(r, "sync-store");
            t.setDaemon(true);
            return t;
        });
        this.parseWorkers = Executors.newFixedThreadPool(Runtime.getRuntime().availableProcessors(), r -> {
            Thread t = new Thread(r, "sync-parse");
            t.setDaemon(true);
            return t;
        });
    }

    /** Runs a pass of a mailbox this owner has claimed, and records its outcome. */
    public void runPass(UUID mailboxId, String owner) {
        MDC.put("mailboxId", mailboxId.toString());
        long started = System.nanoTime();
        String outcome = "success";
        try {
            syncMailbox(mailboxId, owner);
            leases.succeeded(mailboxId, owner);
            Log.debugf("Sync pass done in %d ms", (System.nanoTime() - started) / 1_000_000);
        } catch (LeaseLost e) {
            outcome = "lease_lost";
            Log.warnf("Sync pass stopped: %s", e.getMessage());
        } catch (ReauthorizationRequired e) {
            outcome = fail(mailboxId, owner, "reauth_required", e.getMessage(), null);
        } catch (TokenUnavailable e) {
            outcome = fail(mailboxId, owner, "token_unavailable", e.getMessage(), e.retryAfter().orElse(null));
        } catch (AuthenticationFailedException e) {
            metrics.imapError("auth");
            outcome = fail(mailboxId, owner, "imap_auth_failed", "The IMAP server refused the access token: "
                    + e.getMessage(), null);
        } catch (MessagingException e) {
            metrics.imapError(isConnectionFailure(e) ? "connection" : "protocol");
            outcome = fail(mailboxId, owner, "imap_error", String.valueOf(e.getMessage()), null);
        } catch (SQLException | RuntimeException e) {
            if (!aborted.contains(mailboxId)) {
                Log.errorf(e, "Sync pass failed");
            }
            outcome = fail(mailboxId, owner, "internal_error", "The pass failed inside mailsync; it was logged",
                    null);
        } finally {
            open.remove(mailboxId);
            aborted.remove(mailboxId);
            if (!outcome.equals("lease_lost") && !outcome.equals("released")) {
                indexForSearch(mailboxId);
            }
            metrics.pass(outcome, System.nanoTime() - started);
            MDC.remove("mailboxId");
        }
    }

    /** Makes what the pass stored searchable (after the pass: the mailbox is already listed as synced). */
    private void indexForSearch(UUID mailboxId) {
        try {
            long started = System.nanoTime();
            int indexed = 0;
            for (int n = store.indexForSearch(mailboxId, 2000); n > 0; n = store.indexForSearch(mailboxId, 2000)) {
                indexed += n;
            }
            if (indexed > 0) {
                Log.debugf("%d messages indexed for search in %d ms", indexed, (System.nanoTime() - started) / 1_000_000);
            }
        } catch (SQLException | RuntimeException e) {
            Log.warnf("Search indexing failed (retried after the next pass): %s", e.getMessage());
        }
    }

    /** Records a failed pass, or, when the replica is shutting down, gives the mailbox back unjudged. */
    private String fail(UUID mailboxId, String owner, String code, String message, Duration retryAfter) {
        if (aborted.remove(mailboxId)) {
            Log.info("Sync pass stopped by shutdown; its lease is released for another replica");
            leases.release(mailboxId, owner);
            return "released";
        }
        Log.warnf("Sync pass failed (%s): %s", code, message);
        leases.failed(mailboxId, owner, code, message, retryAfter);
        return code;
    }

    /** Shutdown: passes still running lose their IMAP connections and give their mailboxes back. */
    void abortRunningPasses() {
        open.forEach((mailboxId, imap) -> {
            aborted.add(mailboxId);
            imap.abort();
        });
    }

    private static boolean isConnectionFailure(MessagingException e) {
        return e instanceof FolderClosedException || e instanceof StoreClosedException
                || e.getCause() instanceof java.io.IOException;
    }

    private void syncMailbox(UUID mailboxId, String owner) throws MessagingException, SQLException {
        try (ImapSession imap = imapConnector.open(mailboxId)) {
            open.put(mailboxId, imap);
            boolean condstore = imap.hasCondstore();
            for (Folder folder : reconcileFolders(mailboxId, imap.listFolders())) {
                syncFolder(imap, folder, condstore, owner);
            }
        }
    }

    /** Records the server's folders: new ones get the default sync choice, vanished ones go with their mail. */
    private List<Folder> reconcileFolders(UUID mailboxId, List<RemoteFolder> remote) {
        return QuarkusTransaction.requiringNew().call(() -> {
            Map<String, Folder> known = new HashMap<>();
            for (Folder f : Folder.<Folder>list("mailboxId", mailboxId)) {
                known.put(f.name, f);
            }
            Set<String> present = new HashSet<>();
            List<Folder> toSync = new ArrayList<>();
            for (RemoteFolder r : remote) {
                if (!r.selectable()) {
                    continue;
                }
                present.add(r.name());
                Folder f = known.get(r.name());
                if (f == null) {
                    f = new Folder();
                    f.mailboxId = mailboxId;
                    f.name = r.name();
                    f.sync = SyncPlan.syncByDefault(r, remote, config.sentFolderNames());
                }
                f.delimiter = r.delimiter();
                f.specialUse = SyncPlan.specialUse(r);
                f.persist();
                if (f.sync) {
                    toSync.add(f);
                }
            }
            for (Folder f : known.values()) {
                if (!present.contains(f.name)) {
                    Log.infof("Folder %s is gone from the server", f.name);
                    f.delete();
                }
            }
            toSync.sort((a, b) -> Boolean.compare(!"INBOX".equalsIgnoreCase(a.name), !"INBOX".equalsIgnoreCase(b.name)));
            return toSync;
        });
    }

    private void syncFolder(ImapSession imap, Folder folder, boolean condstore, String owner)
            throws MessagingException, SQLException {
        FolderSnapshot snapshot = imap.examine(folder.name, condstore);
        long uidValidity = snapshot.uidValidity();
        boolean sameValidity = folder.uidvalidity != null && folder.uidvalidity == uidValidity;
        if (folder.uidvalidity != null && !sameValidity) {
            Log.infof("UIDVALIDITY of %s changed (%d -> %d): resyncing the folder", folder.name, folder.uidvalidity,
                    uidValidity);
        }
        if (sameValidity && condstore && snapshot.highestModseq() > 0 && folder.highestModseq != null
                && folder.highestModseq == snapshot.highestModseq()) {
            saveFolderState(folder.id, snapshot, false);
            return; // CONDSTORE: nothing changed since the last complete pass
        }
        Instant since = folder.syncSince;
        if (folder.uidvalidity == null && since == null && config.initialWindow().isPresent()) {
            since = Instant.now().minus(config.initialWindow().get());
        }
        final Instant window = since;
        QuarkusTransaction.requiringNew().call(() -> {
            int dropped = store.deleteOtherUidValidity(folder.id, uidValidity);
            metrics.messages(0, 0, dropped);
            Folder f = Folder.findById(folder.id);
            if (dropped > 0 || !sameValidity) {
                f.highestModseq = null;
            }
            f.uidvalidity = uidValidity;
            f.syncSince = window;
            return null;
        });

        Map<Long, MessageFlags> stored = store.storedFlags(folder.id, uidValidity);
        List<ServerMessage> server = imap.listMessages();
        Set<Long> wanted = window == null ? null : new HashSet<>(imap.uidsSince(window));
        SyncPlan plan = SyncPlan.plan(stored, server, wanted);
        metrics.messages(0, plan.flagChanges().size(), plan.toDelete().size());
        if (!plan.flagChanges().isEmpty() || !plan.toDelete().isEmpty()) {
            QuarkusTransaction.requiringNew().call(() -> {
                store.updateFlags(folder.id, uidValidity, plan.flagChanges());
                store.delete(folder.id, uidValidity, plan.toDelete());
                store.recount(folder.id);
                return null;
            });
            Log.debugf("%s: %d flag changes, %d deleted", folder.name, plan.flagChanges().size(),
                    plan.toDelete().size());
        }
        int total = plan.toFetch().size();
        // three stages: batches are fetched (this thread), parsed (in parallel) and stored on two connections
        // (PostgreSQL indexes one batch while it receives the next); at most four batches are in flight
        FolderProgress progress = new FolderProgress(folder, uidValidity, owner, total);
        Deque<CompletableFuture<Void>> inFlight = new ArrayDeque<>();
        List<CompletableFuture<Void>> lanes = new ArrayList<>(List.of(CompletableFuture.completedFuture(null),
                CompletableFuture.completedFuture(null)));
        long fetchNanos = 0;
        int index = 0;
        for (List<ServerMessage> batch : SyncPlan.batches(plan.toFetch(), config.batchMessages(),
                config.batchBytes())) {
            long t0 = System.nanoTime();
            List<RawMessage> raw;
            try {
                raw = imap.fetch(SyncPlan.uidSet(batch.stream().map(ServerMessage::uid).toList()));
            } catch (MessagingException e) {
                // keep what was fetched before the failure
                CompletableFuture.allOf(lanes.toArray(CompletableFuture[]::new)).handle((ok, failure) -> null).join();
                throw e;
            }
            fetchNanos += System.nanoTime() - t0;
            CompletableFuture<List<NewMessage>> parsed = CompletableFuture.supplyAsync(() -> progress.parse(raw),
                    parseWorkers);
            int lane = index++ % lanes.size();
            CompletableFuture<Void> next = lanes.get(lane).thenCombine(parsed, (previous, messages) -> messages)
                    .thenAcceptAsync(messages -> progress.store(messages, batch.size()), storeWorkers);
            lanes.set(lane, next);
            inFlight.add(next);
            if (inFlight.size() >= 4) {
                await(inFlight.removeFirst());
            }
        }
        CompletableFuture<Void> storing = CompletableFuture.allOf(lanes.toArray(CompletableFuture[]::new));
        await(storing);
        if (total > 0) {
            Log.debugf("%s: %d new messages (fetch %d ms, parse %d ms, store %d ms)", folder.name, total,
                    fetchNanos / 1_000_000, progress.parseNanos.get() / 1_000_000, progress.storeNanos.get() / 1_000_000);
        }
        saveFolderState(folder.id, snapshot, true);
    }

    /** Parses and stores the batches of one folder, renewing the lease as it goes (one batch at a time). */
    private static final int RECOUNT_EVERY = 2000;

    private final class FolderProgress {
        private final Folder folder;
        private final long uidValidity;
        private final String owner;
        private final int total;
        private final java.util.concurrent.atomic.AtomicInteger done = new java.util.concurrent.atomic.AtomicInteger();
        private final AtomicLong parseNanos = new AtomicLong();
        private final AtomicLong storeNanos = new AtomicLong();

        FolderProgress(Folder folder, long uidValidity, String owner, int total) {
            this.folder = folder;
            this.uidValidity = uidValidity;
            this.owner = owner;
            this.total = total;
        }

        List<NewMessage> parse(List<RawMessage> raw) {
            long t0 = System.nanoTime();
            List<NewMessage> parsed = new ArrayList<>(raw.size());
            for (RawMessage m : raw) {
                parsed.add(new NewMessage(folder.mailboxId, folder.id, uidValidity, m.uid(),
                        m.internalDate() != null ? m.internalDate() : Instant.now(), (int) m.size(),
                        MessageFlags.of(m.flags()), MimeReader.read(m.buffer(), m.offset(), m.length())));
            }
            parseNanos.addAndGet(System.nanoTime() - t0);
            return parsed;
        }

        void store(List<NewMessage> parsed, int fetched) {
            long t0 = System.nanoTime();
            // the folder's counts follow every ~2,000 messages (a recount reads the whole folder) and at the end
            int before = done.get();
            boolean recount = (before + fetched) / RECOUNT_EVERY > before / RECOUNT_EVERY;
            QuarkusTransaction.requiringNew().call(() -> {
                store.insert(parsed);
                if (recount) {
                    store.recount(folder.id);
                }
                return null;
            });
            storeNanos.addAndGet(System.nanoTime() - t0);
            int stored = done.addAndGet(fetched);
            metrics.messages(parsed.size(), 0, 0);
            if (!leases.renew(folder.mailboxId, owner, folder.name, stored, total)) {
                throw new LeaseLost(folder.mailboxId);
            }
        }
    }

    private static void await(CompletableFuture<Void> stage) throws SQLException {
        try {
            stage.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    /** After a complete folder pass: its UIDNEXT and (CONDSTORE) HIGHESTMODSEQ, which let the next pass skip it. */
    private void saveFolderState(long folderId, FolderSnapshot snapshot, boolean recount) throws SQLException {
        QuarkusTransaction.requiringNew().call(() -> {
            if (recount) {
                store.recount(folderId);
            }
            Folder f = Folder.findById(folderId);
            f.uidnext = snapshot.uidNext() > 0 ? snapshot.uidNext() : null;
            f.highestModseq = snapshot.highestModseq() > 0 ? snapshot.highestModseq() : null;
            f.syncedAt = Instant.now();
            return null;
        });
    }

    /** Another replica holds the mailbox now (our lease ran out): stop without recording anything. */
    static final class LeaseLost extends RuntimeException {
        LeaseLost(UUID mailboxId) {
            super("lease on mailbox " + mailboxId + " was lost", null, false, false);
        }
    }

}
