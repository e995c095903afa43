package dev.mailsync.sync;

import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
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
import java.util.concurrent.ScheduledExecutorService;
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
import dev.mailsync.imap.MessageOutline;
import dev.mailsync.imap.RawMessage;
import dev.mailsync.imap.ServerMessage;
import dev.mailsync.message.Folder;
import dev.mailsync.message.FolderRepository;
import dev.mailsync.message.MessageFlags;
import dev.mailsync.message.MessageStore;
import dev.mailsync.message.MimeReader;
import dev.mailsync.message.NewMessage;
import dev.mailsync.message.OutlineReader;
import dev.mailsync.message.ReadLimits;
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
    private final MessageWriter writer;
    private final FolderList folders;
    private final FolderRepository folderRows;
    private final SyncLeases leases;
    private final SyncConfig config;
    private final ExecutorService storeWorkers;
    private final ExecutorService parseWorkers;
    private final SyncMetrics metrics;
    private final ScheduledExecutorService heartbeats;
    private final ReadLimits limits;
    private final Map<UUID, ImapSession> open = new ConcurrentHashMap<>();
    private final Set<UUID> aborted = ConcurrentHashMap.newKeySet();
    private final Set<UUID> lost = ConcurrentHashMap.newKeySet();

    public MailboxSyncer(ImapConnector imapConnector, MessageStore store, MessageWriter writer, FolderList folders,
            FolderRepository folderRows, SyncLeases leases, SyncConfig config, SyncMetrics metrics) {
        this.imapConnector = imapConnector;
        this.store = store;
        this.writer = writer;
        this.folders = folders;
        this.folderRows = folderRows;
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
        this.heartbeats = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "sync-heartbeat");
            t.setDaemon(true);
            return t;
        });
        this.limits = new ReadLimits(config.maxBodySize().asLongValue(), config.parseBudget());
    }

    /** Runs a pass of a mailbox this owner has claimed, and records its outcome. */
    public void runPass(UUID mailboxId, String owner) {
        MDC.put("mailboxId", mailboxId.toString());
        long started = System.nanoTime();
        String outcome = "success";
        try {
            try (Heartbeat heartbeat = Heartbeat.start(heartbeats, leases, mailboxId, owner, config.lease(),
                    () -> leaseLost(mailboxId))) {
                syncMailbox(mailboxId, owner);
            }
            if (lost.contains(mailboxId)) {
                throw new LeaseLost(mailboxId);
            }
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
            if (!aborted.contains(mailboxId) && !lost.contains(mailboxId)) {
                Log.errorf(e, "Sync pass failed");
            }
            outcome = fail(mailboxId, owner, "internal_error", "The pass failed inside mailsync; it was logged",
                    null);
        } finally {
            open.remove(mailboxId);
            aborted.remove(mailboxId);
            lost.remove(mailboxId);
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
        } catch (RuntimeException e) {
            Log.warnf("Search indexing failed (retried after the next pass): %s", e.getMessage());
        }
    }

    /** The heartbeat found another replica holding the mailbox: this pass stops at once (its connection drops). */
    private void leaseLost(UUID mailboxId) {
        lost.add(mailboxId);
        ImapSession imap = open.get(mailboxId);
        if (imap != null) {
            imap.abort();
        }
    }

    /**
     * Records a failed pass, or, when the replica is shutting down, gives the mailbox back unjudged, or, when the
     * lease was lost (the failure is this pass being stopped), records nothing.
     */
    private String fail(UUID mailboxId, String owner, String code, String message, Duration retryAfter) {
        if (lost.contains(mailboxId)) {
            Log.warnf("Sync pass stopped: the lease on mailbox %s was lost", mailboxId);
            return "lease_lost";
        }
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
            for (Folder folder : folders.reconcile(mailboxId, imap.listFolders())) {
                syncFolder(imap, folder, condstore, owner);
            }
        }
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
            Folder f = folderRows.findById(folder.id);
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
        long maxMessage = config.maxMessageSize().asLongValue();
        List<ServerMessage> whole = plan.toFetch().stream().filter(m -> m.size() <= maxMessage).toList();
        List<ServerMessage> large = plan.toFetch().stream().filter(m -> m.size() > maxMessage).toList();
        // three stages: batches are fetched (this thread), parsed (in parallel) and stored on two connections
        // (PostgreSQL indexes one batch while it receives the next); at most four batches are in flight
        FolderProgress progress = new FolderProgress(folder, uidValidity, owner, total);
        Deque<CompletableFuture<Void>> inFlight = new ArrayDeque<>();
        List<CompletableFuture<Void>> lanes = new ArrayList<>(List.of(CompletableFuture.completedFuture(null),
                CompletableFuture.completedFuture(null)));
        long fetchNanos = 0;
        int index = 0;
        for (List<ServerMessage> batch : SyncPlan.batches(whole, config.batchMessages(), config.batchBytes())) {
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
            CompletableFuture<List<NewMessage>> parsed = CompletableFuture.supplyAsync(
                    () -> progress.parse(batch, raw), parseWorkers);
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
        for (ServerMessage m : large) {
            progress.store(List.of(outlined(imap, folder, uidValidity, m)), 1);
        }
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

        /**
         * The batch's messages, parsed. One the server's answer held nothing readable for (Angus drops a response it
         * cannot parse) is stored as listed, marked malformed, so that it is not fetched again at every pass; had
         * it been expunged meanwhile, the next pass deletes it.
         */
        List<NewMessage> parse(List<ServerMessage> batch, List<RawMessage> raw) {
            long t0 = System.nanoTime();
            Map<Long, RawMessage> byUid = new java.util.HashMap<>();
            raw.forEach(m -> byUid.put(m.uid(), m));
            List<NewMessage> parsed = new ArrayList<>(batch.size());
            for (ServerMessage listed : batch) {
                RawMessage m = byUid.get(listed.uid());
                parsed.add(m == null ? new NewMessage(folder.mailboxId, folder.id, uidValidity, listed.uid(),
                        Instant.now(), SyncPlan.size(listed.size()), listed.flags(),
                        MimeReader.unreadable("the server's answer held nothing readable for this message", limits))
                        : new NewMessage(folder.mailboxId, folder.id, uidValidity, m.uid(),
                                SyncPlan.internalDate(m.internalDate()), SyncPlan.size(m.size()),
                                MessageFlags.of(m.flags()), MimeReader.read(m.buffer(), m.offset(), m.length(), limits)));
            }
            parseNanos.addAndGet(System.nanoTime() - t0);
            return parsed;
        }

        void store(List<NewMessage> parsed, int fetched) {
            long t0 = System.nanoTime();
            // the folder's counts follow every ~2,000 messages (a recount reads the whole folder) and at the end
            int before = done.get();
            boolean recount = (before + fetched) / RECOUNT_EVERY > before / RECOUNT_EVERY;
            writer.write(parsed);
            if (recount) {
                QuarkusTransaction.requiringNew().call(() -> {
                    store.recount(folder.id);
                    return null;
                });
            }
            storeNanos.addAndGet(System.nanoTime() - t0);
            int stored = done.addAndGet(fetched);
            metrics.messages(parsed.size(), 0, 0);
            if (!leases.renew(folder.mailboxId, owner, folder.name, stored, total)) {
                throw new LeaseLost(folder.mailboxId);
            }
        }
    }

    /**
     * A message larger than {@code max-message-size}, read from its header, BODYSTRUCTURE and the start of its text
     * parts instead of being fetched whole (its attachments download from the server on demand).
     */
    private NewMessage outlined(ImapSession imap, Folder folder, long uidValidity, ServerMessage m)
            throws MessagingException {
        MessageOutline outline = imap.outline(m.uid()).orElse(null);
        if (outline == null) {
            // the server's answer could not be read (Angus drops a response it cannot parse), or the message was
            // expunged since the listing: stored as it was listed, so that it is not tried again at every pass
            // (if it is gone, the next pass deletes it)
            return new NewMessage(folder.mailboxId, folder.id, uidValidity, m.uid(), Instant.now(),
                    SyncPlan.size(m.size()), m.flags(), MimeReader.unreadable(
                            "the server's description of this large message could not be read", limits));
        }
        List<String> sections = OutlineReader.bodySections(outline.parts());
        // the start of each text part: up to 4 bytes per byte kept (base64, UTF-32), never the whole of a huge one
        Map<String, byte[]> texts = imap.sections(m.uid(), sections, 4 * limits.maxBodyBytes() + 4);
        return new NewMessage(folder.mailboxId, folder.id, uidValidity, m.uid(),
                SyncPlan.internalDate(outline.internalDate()), SyncPlan.size(outline.size()),
                MessageFlags.of(outline.flags()),
                OutlineReader.read(outline.header(), outline.parts(), outline.cut(), texts, limits));
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
            Folder f = folderRows.findById(folderId);
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
