package dev.mailsync.sync;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.mail.MessagingException;

import dev.mailsync.imap.ImapSession;
import dev.mailsync.imap.MessageOutline;
import dev.mailsync.imap.RawMessage;
import dev.mailsync.imap.ServerMessage;
import dev.mailsync.message.Folder;
import dev.mailsync.message.MessageFlags;
import dev.mailsync.message.MessageStore;
import dev.mailsync.message.MimeReader;
import dev.mailsync.message.NewMessage;
import dev.mailsync.message.OutlineReader;
import dev.mailsync.message.ReadLimits;
import io.quarkus.logging.Log;
import io.quarkus.narayana.jta.QuarkusTransaction;

/**
 * Fetches, parses and stores a folder's new messages in three stages: batches are fetched (on the pass's thread),
 * parsed (in parallel) and stored on two connections (PostgreSQL indexes one batch while it receives the next);
 * at most four batches are in flight. Messages larger than {@code max-message-size} are read from their outline.
 */
@ApplicationScoped
public class FetchPipeline {

    /** The folder's counts follow every ~2,000 stored messages (a recount reads the whole folder) and at the end. */
    private static final int RECOUNT_EVERY = 2000;
    private static final int IN_FLIGHT = 4;

    private final MessageStore store;
    private final MessageWriter writer;
    private final SyncLeases leases;
    private final SyncConfig config;
    private final SyncMetrics metrics;
    private final ReadLimits limits;
    private final ExecutorService storeWorkers;
    private final ExecutorService parseWorkers;

    public FetchPipeline(MessageStore store, MessageWriter writer, SyncLeases leases, SyncConfig config,
            SyncMetrics metrics) {
        this.store = store;
        this.writer = writer;
        this.leases = leases;
        this.config = config;
        this.metrics = metrics;
        this.limits = new ReadLimits(config.maxBodySize().asLongValue(), config.parseBudget());
        // two per pass at the most passes at once; idle for a minute (fewer passes), they go
        int storeThreads = 2 * Math.max(config.concurrency(), config.maxConcurrency());
        ThreadPoolExecutor stores = new ThreadPoolExecutor(storeThreads, storeThreads, 60, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), daemon("sync-store"));
        stores.allowCoreThreadTimeOut(true);
        this.storeWorkers = stores;
        this.parseWorkers = Executors.newFixedThreadPool(Runtime.getRuntime().availableProcessors(),
                daemon("sync-parse"));
    }

    /**
     * Fetches and stores the messages (newest first), renewing the lease batch by batch.
     *
     * @param announce false for the folder's first fill: its messages reach the change feed, not SSE or webhooks
     */
    void fetch(ImapSession imap, Folder folder, long uidValidity, String owner, List<ServerMessage> toFetch,
            boolean announce) throws MessagingException {
        long maxMessage = config.maxMessageSize().asLongValue();
        List<ServerMessage> whole = toFetch.stream().filter(m -> m.size() <= maxMessage).toList();
        List<ServerMessage> large = toFetch.stream().filter(m -> m.size() > maxMessage).toList();
        FolderProgress progress = new FolderProgress(folder, uidValidity, owner, toFetch.size(), announce);
        long fetchNanos = fetchWhole(imap, whole, progress);
        for (ServerMessage m : large) {
            progress.store(List.of(outlined(imap, folder, uidValidity, m)), 1);
        }
        if (!toFetch.isEmpty()) {
            Log.debugf("%s: %d new messages (fetch %d ms, parse %d ms, store %d ms)", folder.name, toFetch.size(),
                    fetchNanos / 1_000_000, progress.parseNanos.get() / 1_000_000,
                    progress.storeNanos.get() / 1_000_000);
        }
    }

    /** The three stages for the messages fetched whole; answers the time spent fetching. */
    private long fetchWhole(ImapSession imap, List<ServerMessage> whole, FolderProgress progress)
            throws MessagingException {
        Deque<CompletableFuture<Void>> inFlight = new ArrayDeque<>();
        List<CompletableFuture<Void>> lanes = new ArrayList<>(List.of(CompletableFuture.completedFuture(null),
                CompletableFuture.completedFuture(null)));
        long fetchNanos = 0;
        int index = 0;
        for (List<ServerMessage> batch : SyncPlan.batches(whole, config.batchMessages(), config.batchBytes())) {
            long t0 = System.nanoTime();
            List<RawMessage> raw;
            try {
                raw = imap.fetch(batch.stream().map(ServerMessage::uid).toList());
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
            if (inFlight.size() >= IN_FLIGHT) {
                await(inFlight.removeFirst());
            }
        }
        await(CompletableFuture.allOf(lanes.toArray(CompletableFuture[]::new)));
        return fetchNanos;
    }

    /** Parses and stores the batches of one folder, renewing the lease as it goes (one batch at a time). */
    private final class FolderProgress {
        private final Folder folder;
        private final long uidValidity;
        private final String owner;
        private final int total;
        private final boolean announce;
        private final AtomicInteger done = new AtomicInteger();
        private final AtomicLong parseNanos = new AtomicLong();
        private final AtomicLong storeNanos = new AtomicLong();

        FolderProgress(Folder folder, long uidValidity, String owner, int total, boolean announce) {
            this.folder = folder;
            this.announce = announce;
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
            Map<Long, RawMessage> byUid = new HashMap<>();
            raw.forEach(m -> byUid.put(m.uid(), m));
            List<NewMessage> parsed = new ArrayList<>(batch.size());
            for (ServerMessage listed : batch) {
                RawMessage m = byUid.get(listed.uid());
                parsed.add(m == null ? new NewMessage(folder.mailboxId, folder.id, uidValidity, listed.uid(),
                        Instant.now(), SyncPlan.size(listed.size()), MessageFlags.of(listed.flags()),
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
            int before = done.get();
            boolean recount = (before + fetched) / RECOUNT_EVERY > before / RECOUNT_EVERY;
            writer.write(folder, parsed, announce);
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
                throw new MailboxSyncer.LeaseLost(folder.mailboxId);
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
                    SyncPlan.size(m.size()), MessageFlags.of(m.flags()), MimeReader.unreadable(
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

    private static void await(CompletableFuture<Void> stage) {
        try {
            stage.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    static java.util.concurrent.ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }
}
