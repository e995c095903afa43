package dev.mailsync.sync;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
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
import dev.mailsync.imap.PartOutline;
import dev.mailsync.imap.RawMessage;
import dev.mailsync.imap.ServerMessage;
import dev.mailsync.imap.ThrottleReplies;
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
 * at most four batches are in flight, each fetched in commands of at most {@code batch-bytes}.
 * <p>
 * In {@code parts} mode ({@link FetchMode}) a batch is fetched in two steps: header and BODYSTRUCTURE of every
 * message, then the text parts a reader is shown (one command per set of sections, so a batch takes a few) and,
 * per message, the whole message where reading the outline could differ from reading the message
 * ({@link #readWhole}). Messages larger than {@code max-message-size} are always read from their outline.
 * <p>
 * A message whose structure or text parts the server drops the connection over fails that pass; the next pass
 * fetches it whole or, larger than {@code max-message-size}, stores it as listed ({@link #undescribable}).
 */
@ApplicationScoped
public class FetchPipeline {

    /** The folder's counts follow every ~2,000 stored messages (a recount reads the whole folder) and at the end. */
    private static final int RECOUNT_EVERY = 2000;
    private static final int IN_FLIGHT = 4;
    /** At most this many UIDs a folder are remembered as undescribable (a server dropping every batch: 40 passes). */
    private static final int MAX_UNDESCRIBABLE = 10_000;

    private final MessageStore store;
    private final MessageWriter writer;
    private final SyncLeases leases;
    private final SyncConfig config;
    private final SyncMetrics metrics;
    private final ReadLimits limits;
    private final ExecutorService storeWorkers;
    private final ExecutorService parseWorkers;
    private volatile FetchMode mode;
    /**
     * Per folder, the UIDs whose structure or text parts the server dropped the connection over (GreenMail does for
     * some broken MIME; a server could for any message): the next pass fetches them whole instead, or, for a message
     * over {@code max-message-size} (too large to fetch whole), stores it as listed, malformed; so that one message
     * cannot fail every pass of its folder. Kept by this replica until the next pass that meets them (another replica
     * learns it the same way, once).
     */
    private final Map<Long, Set<Long>> undescribable = new ConcurrentHashMap<>();

    public FetchPipeline(MessageStore store, MessageWriter writer, SyncLeases leases, SyncConfig config,
            SyncMetrics metrics) {
        this.store = store;
        this.writer = writer;
        this.leases = leases;
        this.config = config;
        this.metrics = metrics;
        this.mode = config.fetchMode();
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
     * Switches the fetch mode of the passes that start from now on; answers the one it replaces. For tests that
     * compare both modes within one application (the mode is otherwise {@code mailsync.sync.fetch-mode}).
     */
    FetchMode switchMode(FetchMode next) {
        FetchMode previous = mode;
        mode = next;
        return previous;
    }

    /**
     * Fetches and stores the messages (newest first), renewing the lease batch by batch.
     *
     * @param announce false for the folder's first fill: its messages reach the change feed, not SSE or webhooks
     */
    void fetch(ImapSession imap, Folder folder, long uidValidity, String owner, List<ServerMessage> toFetch,
            boolean announce) throws MessagingException {
        long maxMessage = config.maxMessageSize().asLongValue();
        List<ServerMessage> small = toFetch.stream().filter(m -> m.size() <= maxMessage).toList();
        List<ServerMessage> large = toFetch.stream().filter(m -> m.size() > maxMessage).toList();
        FolderProgress progress = new FolderProgress(folder, uidValidity, owner, toFetch.size(), announce);
        Stages stages = new Stages(progress);
        long t0 = System.nanoTime();
        try {
            if (mode == FetchMode.WHOLE) {
                fetchWhole(imap, small, stages);
            } else {
                fetchParts(imap, folder.id, small, stages);
            }
        } catch (MessagingException | RuntimeException e) {
            stages.drain(); // keep what was fetched before the failure
            throw e;
        }
        long fetchNanos = System.nanoTime() - t0;
        stages.finish();
        for (ServerMessage m : large) {
            progress.store(List.of(outlined(imap, folder, uidValidity, m)), 1);
        }
        if (!toFetch.isEmpty()) {
            Log.debugf("%s: %d new messages (fetch %d ms, parse %d ms, store %d ms)", folder.name, toFetch.size(),
                    fetchNanos / 1_000_000, progress.parseNanos.get() / 1_000_000,
                    progress.storeNanos.get() / 1_000_000);
        }
    }

    /** Every message whole, one command per batch. */
    private void fetchWhole(ImapSession imap, List<ServerMessage> messages, Stages stages)
            throws MessagingException {
        for (List<ServerMessage> batch : SyncPlan.batches(messages, config.batchMessages(), config.batchBytes())) {
            Map<Long, RawMessage> raw = wholeMessages(imap, batch);
            stages.submit(batch, raw, Map.of(), Map.of());
        }
    }

    /**
     * Header and BODYSTRUCTURE per batch (by count: they are small), then per unit of at most {@code batch-bytes}
     * (by what will be fetched) the whole messages and the text parts.
     */
    private void fetchParts(ImapSession imap, long folderId, List<ServerMessage> messages, Stages stages)
            throws MessagingException {
        Set<Long> dropped = undescribable.getOrDefault(folderId, Set.of());
        List<ServerMessage> whole = messages.stream().filter(m -> dropped.contains(m.uid())).toList();
        List<ServerMessage> described = messages;
        if (!whole.isEmpty()) { // remembered UIDs this pass does not list (stored meanwhile, gone) wait, unlogged
            described = messages.stream().filter(m -> !dropped.contains(m.uid())).toList();
            Log.infof("Fetching %d messages whole: the server dropped the connection over their structure",
                    whole.size());
            fetchWhole(imap, whole, stages);
            metrics.read("whole", whole.size());
            whole.forEach(m -> dropped.remove(m.uid()));
        }
        for (List<ServerMessage> batch : SyncPlan.batches(described, config.batchMessages(), Long.MAX_VALUE)) {
            Map<Long, MessageOutline> outlines = outlines(imap, folderId, batch);
            metrics.fetched("header", outlines.values().stream().mapToLong(o -> o.header().length).sum());
            List<ServerMessage> unit = new ArrayList<>();
            long unitBytes = 0;
            for (ServerMessage m : batch) {
                MessageOutline outline = outlines.get(m.uid());
                long bytes = readWhole(outline) ? m.size() : textBytes(outline);
                if (!unit.isEmpty() && unitBytes + bytes > config.batchBytes()) {
                    fetchUnit(imap, folderId, unit, outlines, stages);
                    unit = new ArrayList<>();
                    unitBytes = 0;
                }
                unit.add(m);
                unitBytes += bytes;
            }
            if (!unit.isEmpty()) {
                fetchUnit(imap, folderId, unit, outlines, stages);
            }
        }
    }

    /**
     * Header and BODYSTRUCTURE of a batch; none (the batch is fetched whole) when the server refuses the command
     * (Exchange answers NO or BAD for BODYSTRUCTURE of some broken messages) without dropping the connection or
     * asking us to slow down. A dropped connection fails the pass, and the next one fetches the batch whole.
     */
    private Map<Long, MessageOutline> outlines(ImapSession imap, long folderId, List<ServerMessage> batch)
            throws MessagingException {
        List<Long> uids = batch.stream().map(ServerMessage::uid).toList();
        try {
            return imap.outlines(uids);
        } catch (MessagingException e) {
            rememberIfDropped(e, folderId, uids);
            if (ImapSession.connectionLost(e) || ThrottleReplies.backoff(e).isPresent()) {
                throw e;
            }
            Log.infof("The server refused the structure of %d messages (%s): fetching them whole", batch.size(),
                    e.getMessage());
            return Map.of();
        }
    }

    /**
     * Whether a message is fetched whole rather than read from its outline: when the server did not describe it
     * (no answer, no BODYSTRUCTURE, a tree past the limits) or when its description may not be the tree a parser of
     * the whole message finds ({@link MessageOutline#mismatch}).
     */
    static boolean readWhole(MessageOutline outline) {
        return outline == null || outline.cut() || outline.mismatch() != null;
    }

    private long textBytes(MessageOutline outline) {
        Map<String, Long> sections = OutlineReader.bodySections(outline.parts(), limits);
        return outline.header().length + outline.parts().stream().filter(p -> sections.containsKey(p.section()))
                .mapToLong(p -> Math.min(p.size(), sections.get(p.section()))).sum();
    }

    /**
     * When the server dropped the connection over these messages, the next pass does not ask for their structure
     * again: it fetches them whole, or stores a large one as listed ({@link #outlined}).
     */
    private void rememberIfDropped(MessagingException e, long folderId, List<Long> uids) {
        if (!ImapSession.connectionLost(e)) {
            return;
        }
        Set<Long> dropped = undescribable.computeIfAbsent(folderId, id -> ConcurrentHashMap.newKeySet());
        if (dropped.size() < MAX_UNDESCRIBABLE) {
            dropped.addAll(uids);
            Log.infof("The server dropped the connection over the structure of %d messages: the next pass fetches "
                    + "them whole (a large one: stores it as listed)", uids.size());
        }
    }

    /** Whole messages in one command, text parts in one command per set of sections; then parse and store. */
    private void fetchUnit(ImapSession imap, long folderId, List<ServerMessage> unit,
            Map<Long, MessageOutline> outlines, Stages stages) throws MessagingException {
        List<ServerMessage> whole = new ArrayList<>();
        Map<Long, MessageOutline> outlined = new HashMap<>();
        Map<Map<String, Long>, List<Long>> bySections = new LinkedHashMap<>();
        Map<Long, ServerMessage> byUid = new HashMap<>();
        for (ServerMessage m : unit) {
            byUid.put(m.uid(), m);
            MessageOutline outline = outlines.get(m.uid());
            if (readWhole(outline)) {
                whole.add(m);
            } else {
                outlined.put(m.uid(), outline);
                bySections.computeIfAbsent(OutlineReader.bodySections(outline.parts(), limits),
                        sections -> new ArrayList<>()).add(m.uid());
            }
        }
        Map<Long, Map<String, byte[]>> texts = new HashMap<>();
        for (Map.Entry<Map<String, Long>, List<Long>> group : bySections.entrySet()) {
            Map<Long, Map<String, byte[]>> fetched;
            try {
                fetched = imap.sections(group.getValue(), group.getKey());
            } catch (MessagingException e) {
                rememberIfDropped(e, folderId, group.getValue());
                throw e;
            }
            metrics.fetched("part", fetched.values().stream().flatMap(t -> t.values().stream())
                    .mapToLong(b -> b.length).sum());
            for (long uid : group.getValue()) {
                Map<String, byte[]> got = fetched.getOrDefault(uid, Map.of());
                if (asDescribed(outlined.get(uid), group.getKey(), got)) {
                    texts.put(uid, got);
                } else {
                    // the server's text is not the part it described: the description cannot be trusted
                    outlined.remove(uid);
                    whole.add(byUid.get(uid));
                }
            }
        }
        Map<Long, RawMessage> raw = whole.isEmpty() ? Map.of() : wholeMessages(imap, whole);
        metrics.read("whole", whole.size());
        metrics.read("parts", outlined.size());
        stages.submit(unit, raw, outlined, texts);
    }

    /**
     * Whether each text section came as the server's BODYSTRUCTURE described it: not empty when it has a size, not
     * longer than that size (or than asked for), give or take a byte per line end (a server may count bare LF line
     * ends as CRLF). An empty or longer answer means the server reads the message otherwise than it described it
     * (a part without a header, a duplicate boundary). A shorter one is taken: some servers count a part's header
     * into its size.
     */
    static boolean asDescribed(MessageOutline outline, Map<String, Long> asked, Map<String, byte[]> got) {
        for (PartOutline part : outline.parts()) {
            Long max = asked.get(part.section());
            if (max != null) {
                byte[] text = got.getOrDefault(part.section(), new byte[0]);
                long described = Math.min(part.size(), max);
                if (text.length == 0 && described > 0 || text.length > described + lineEnds(text) + 1) {
                    return false;
                }
            }
        }
        return true;
    }

    private static int lineEnds(byte[] text) {
        int n = 0;
        for (byte b : text) {
            if (b == '\n') {
                n++;
            }
        }
        return n;
    }

    private Map<Long, RawMessage> wholeMessages(ImapSession imap, List<ServerMessage> messages)
            throws MessagingException {
        Map<Long, RawMessage> byUid = new HashMap<>();
        for (RawMessage m : imap.fetch(messages.stream().map(ServerMessage::uid).toList())) {
            byUid.put(m.uid(), m);
        }
        metrics.fetched("message", byUid.values().stream().mapToLong(RawMessage::length).sum());
        return byUid;
    }

    /**
     * The parse and store stages: parsing runs in parallel, storing on two lanes (one batch after the other on
     * each), at most {@value #IN_FLIGHT} batches fetched but not yet stored.
     */
    private final class Stages {
        private final FolderProgress progress;
        private final Deque<CompletableFuture<Void>> inFlight = new ArrayDeque<>();
        private final List<CompletableFuture<Void>> lanes = new ArrayList<>(List.of(
                CompletableFuture.completedFuture(null), CompletableFuture.completedFuture(null)));
        private int index;

        Stages(FolderProgress progress) {
            this.progress = progress;
        }

        void submit(List<ServerMessage> batch, Map<Long, RawMessage> raw, Map<Long, MessageOutline> outlined,
                Map<Long, Map<String, byte[]>> texts) {
            CompletableFuture<List<NewMessage>> parsed = CompletableFuture.supplyAsync(
                    () -> progress.parse(batch, raw, outlined, texts), parseWorkers);
            int lane = index++ % lanes.size();
            CompletableFuture<Void> next = lanes.get(lane).thenCombine(parsed, (previous, messages) -> messages)
                    .thenAcceptAsync(messages -> progress.store(messages, batch.size()), storeWorkers);
            lanes.set(lane, next);
            inFlight.add(next);
            if (inFlight.size() >= IN_FLIGHT) {
                await(inFlight.removeFirst());
            }
        }

        /** After a failed fetch: waits for what is in flight, whatever its outcome. */
        void drain() {
            CompletableFuture.allOf(lanes.toArray(CompletableFuture[]::new)).handle((ok, failure) -> null).join();
        }

        void finish() {
            await(CompletableFuture.allOf(lanes.toArray(CompletableFuture[]::new)));
        }
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
        List<NewMessage> parse(List<ServerMessage> batch, Map<Long, RawMessage> raw,
                Map<Long, MessageOutline> outlined, Map<Long, Map<String, byte[]>> texts) {
            long t0 = System.nanoTime();
            List<NewMessage> parsed = new ArrayList<>(batch.size());
            for (ServerMessage listed : batch) {
                MessageOutline o = outlined.get(listed.uid());
                RawMessage m = raw.get(listed.uid());
                if (o != null) {
                    parsed.add(new NewMessage(folder.mailboxId, folder.id, uidValidity, o.uid(),
                            SyncPlan.internalDate(o.internalDate()), SyncPlan.size(o.size()),
                            MessageFlags.of(o.flags()), OutlineReader.read(o.header(), o.parts(), o.cut(),
                                    texts.getOrDefault(o.uid(), Map.of()), limits)));
                } else if (m != null) {
                    parsed.add(new NewMessage(folder.mailboxId, folder.id, uidValidity, m.uid(),
                            SyncPlan.internalDate(m.internalDate()), SyncPlan.size(m.size()),
                            MessageFlags.of(m.flags()), MimeReader.read(m.buffer(), m.offset(), m.length(), limits)));
                } else {
                    parsed.add(asListed(folder, uidValidity, listed,
                            "the server's answer held nothing readable for this message"));
                }
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
     * parts instead of being fetched whole (its attachments download from the server on demand). When the server
     * drops the connection over them, the pass fails and the next one stores the message as listed.
     */
    private NewMessage outlined(ImapSession imap, Folder folder, long uidValidity, ServerMessage m)
            throws MessagingException {
        Set<Long> dropped = undescribable.get(folder.id);
        if (dropped != null && dropped.remove(m.uid())) {
            Log.infof("%s: storing large message %d as listed: the server dropped the connection over its "
                    + "structure", folder.name, m.uid());
            return asListed(folder, uidValidity, m,
                    "the server dropped the connection over this large message's structure");
        }
        MessageOutline outline;
        Map<String, byte[]> texts;
        try {
            outline = imap.outline(m.uid()).orElse(null);
            if (outline == null) {
                // the server's answer could not be read (Angus drops a response it cannot parse), or the message was
                // expunged since the listing: stored as it was listed, so that it is not tried again at every pass
                // (if it is gone, the next pass deletes it)
                return asListed(folder, uidValidity, m,
                        "the server's description of this large message could not be read");
            }
            metrics.fetched("header", outline.header().length);
            // the start of each text part, enough to read as much as of a whole message (never all of a huge one)
            texts = imap.sections(List.of(m.uid()), OutlineReader.bodySections(outline.parts(), limits))
                    .getOrDefault(m.uid(), Map.of());
        } catch (MessagingException e) {
            rememberIfDropped(e, folder.id, List.of(m.uid()));
            throw e;
        }
        metrics.fetched("part", texts.values().stream().mapToLong(b -> b.length).sum());
        metrics.read("parts", 1);
        return new NewMessage(folder.mailboxId, folder.id, uidValidity, m.uid(),
                SyncPlan.internalDate(outline.internalDate()), SyncPlan.size(outline.size()),
                MessageFlags.of(outline.flags()),
                OutlineReader.read(outline.header(), outline.parts(), outline.cut(), texts, limits));
    }

    /**
     * A message stored as it was listed (UID, size, flags), marked malformed with why nothing of it could be read:
     * stored rather than skipped, so that it is not asked for again at every pass.
     */
    private NewMessage asListed(Folder folder, long uidValidity, ServerMessage listed, String why) {
        return new NewMessage(folder.mailboxId, folder.id, uidValidity, listed.uid(), Instant.now(),
                SyncPlan.size(listed.size()), MessageFlags.of(listed.flags()), MimeReader.unreadable(why, limits));
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
