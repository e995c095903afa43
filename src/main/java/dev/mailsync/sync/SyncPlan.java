package dev.mailsync.sync;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import dev.mailsync.imap.RemoteFolder;
import dev.mailsync.imap.ServerMessage;
import dev.mailsync.message.MessageFlags;

/**
 * The pure decisions of a folder pass: what to fetch (newest first), which flags changed, what was deleted,
 * how to batch, and which folders to sync by default. Comparing the server's UID list with the store (instead
 * of trusting a high-water mark) makes a pass cut anywhere resume with nothing lost or stored twice.
 */
record SyncPlan(List<ServerMessage> toFetch, Map<Long, MessageFlags> flagChanges, List<Long> toDelete) {

    private static final Instant EARLIEST = Instant.parse("1900-01-01T00:00:00Z");
    private static final Instant LATEST = Instant.parse("9999-12-31T23:59:59Z");
    private static final Map<String, String> WELL_KNOWN = Map.of(
            "sent items", "\\Sent", "sent", "\\Sent", "deleted items", "\\Trash", "trash", "\\Trash",
            "drafts", "\\Drafts", "junk email", "\\Junk", "junk", "\\Junk", "archive", "\\Archive");

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
            } else if (!known.equals(m.flags())) {
                flagChanges.put(m.uid(), m.flags());
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

    /** IMAP sequence-set syntax for UIDs: {@code 1:3,7,9:10}. */
    static String uidSet(List<Long> uids) {
        List<Long> sorted = uids.stream().sorted().distinct().toList();
        StringBuilder set = new StringBuilder();
        for (int i = 0; i < sorted.size(); i++) {
            long start = sorted.get(i);
            long end = start;
            while (i + 1 < sorted.size() && sorted.get(i + 1) == end + 1) {
                end = sorted.get(++i);
            }
            set.append(set.isEmpty() ? "" : ",").append(start);
            if (end != start) {
                set.append(':').append(end);
            }
        }
        return set.toString();
    }

    /** The SPECIAL-USE a folder has, or the one its well-known (Outlook) name implies. */
    static String specialUse(RemoteFolder folder) {
        if (folder.specialUse() != null) {
            return folder.specialUse();
        }
        return WELL_KNOWN.get(folder.name().toLowerCase(Locale.ROOT));
    }

    /** INBOX and the Sent folder are synced unless the user chooses otherwise. */
    static boolean syncByDefault(RemoteFolder folder, List<RemoteFolder> all, List<String> sentNames) {
        if (folder.name().equalsIgnoreCase("INBOX")) {
            return true;
        }
        boolean serverMarksSent = all.stream().anyMatch(f -> "\\Sent".equals(f.specialUse()));
        if (serverMarksSent) {
            return "\\Sent".equals(folder.specialUse());
        }
        return sentNames.stream().anyMatch(name -> name.equalsIgnoreCase(folder.name()));
    }
}
