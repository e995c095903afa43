package dev.mailsync.sync;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import dev.mailsync.imap.FolderSnapshot;
import dev.mailsync.imap.ServerMessage;
import dev.mailsync.message.MessageFlags;

/**
 * The pure decisions of a folder pass: what to fetch (newest first), which flags changed, what was deleted,
 * how to batch, and how a folder pass starts. Comparing the server's UID list with the store (instead
 * of trusting a high-water mark) makes a pass cut anywhere resume with nothing lost or stored twice.
 */
record SyncPlan(List<ServerMessage> toFetch, Map<Long, MessageFlags> flagChanges, List<Long> toDelete) {

    private static final Instant EARLIEST = Instant.parse("1900-01-01T00:00:00Z");
    private static final Instant LATEST = Instant.parse("9999-12-31T23:59:59Z");

    /**
     * How a folder pass starts.
     *
     * @param unchanged CONDSTORE says nothing changed since the last complete pass: only the folder's state is saved
     * @param newValidity the stored messages (if any) belong to another UIDVALIDITY: the folder is synced afresh
     * @param window only mail received since then is fetched ({@code null}: all)
     */
    record Start(boolean unchanged, boolean newValidity, Instant window) {
    }

    /**
     * Decides how a folder pass starts from what was stored at the last pass and what EXAMINE reports now.
     *
     * @param storedValidity the folder's stored UIDVALIDITY ({@code null} before its first pass)
     * @param storedModseq the HIGHESTMODSEQ saved after the last complete pass, or {@code null}
     * @param syncSince the window chosen at the first pass, or {@code null}
     * @param initialWindow {@code mailsync.sync.initial-window}, applied at a folder's first pass
     */
    static Start start(Long storedValidity, Long storedModseq, Instant syncSince, FolderSnapshot snapshot,
            boolean condstore, Optional<Duration> initialWindow, Instant now) {
        boolean sameValidity = storedValidity != null && storedValidity == snapshot.uidValidity();
        boolean unchanged = sameValidity && condstore && snapshot.highestModseq() > 0 && storedModseq != null
                && storedModseq == snapshot.highestModseq();
        Instant window = syncSince;
        if (storedValidity == null && window == null && initialWindow.isPresent()) {
            window = now.minus(initialWindow.get());
        }
        return new Start(unchanged, !sameValidity, window);
    }

    /**
     * @param stored UID → flags of the stored messages (same UIDVALIDITY)
     * @param server the server's messages
     * @param wanted UIDs inside the initial-sync window, or {@code null} for all
     */
    static SyncPlan plan(Map<Long, MessageFlags> stored, List<ServerMessage> server, Set<Long> wanted) {
        Set<Long> onServer = new HashSet<>();
        List<ServerMessage> toFetch = new ArrayList<>();
        Map<Long, MessageFlags> flagChanges = new HashMap<>();
        for (ServerMessage m : server) {
            onServer.add(m.uid());
            MessageFlags known = stored.get(m.uid());
            if (known == null) {
                if (wanted == null || wanted.contains(m.uid())) {
                    toFetch.add(m);
                }
            } else {
                MessageFlags flags = MessageFlags.of(m.flags());
                if (!known.equals(flags)) {
                    flagChanges.put(m.uid(), flags);
                }
            }
        }
        toFetch.sort(Comparator.comparingLong(ServerMessage::uid).reversed());
        List<Long> toDelete = stored.keySet().stream().filter(uid -> !onServer.contains(uid)).sorted().toList();
        return new SyncPlan(toFetch, flagChanges, toDelete);
    }

    /** Cuts the messages (kept in order) into fetches of at most {@code maxMessages} and about {@code maxBytes}. */
    static List<List<ServerMessage>> batches(List<ServerMessage> messages, int maxMessages, long maxBytes) {
        List<List<ServerMessage>> batches = new ArrayList<>();
        List<ServerMessage> current = new ArrayList<>();
        long bytes = 0;
        for (ServerMessage m : messages) {
            if (!current.isEmpty() && (current.size() >= maxMessages || bytes + m.size() > maxBytes)) {
                batches.add(current);
                current = new ArrayList<>();
                bytes = 0;
            }
            current.add(m);
            bytes += m.size();
        }
        if (!current.isEmpty()) {
            batches.add(current);
        }
        return batches;
    }

    /** The server's INTERNALDATE, or now when it has none or one outside the years 1900 to 9999. */
    static Instant internalDate(Instant date) {
        return date == null || date.isBefore(EARLIEST) || date.isAfter(LATEST) ? Instant.now() : date;
    }

    /** RFC822.SIZE as stored (an int column: a size beyond 2 GiB is a lie of the server's or an attack). */
    static int size(long size) {
        return (int) Math.max(0, Math.min(size, Integer.MAX_VALUE));
    }
}
