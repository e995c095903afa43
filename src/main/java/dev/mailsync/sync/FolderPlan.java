package dev.mailsync.sync;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import dev.mailsync.common.db.PgText;
import dev.mailsync.imap.RemoteFolder;
import dev.mailsync.imap.SpecialFolders;

/**
 * The pure diff of the server's folder list against the stored folders (EmailEngine's {@code listing-diff.js}):
 * which folders are listed (new ones with their default sync choice), which came back, which went missing, which
 * stayed missing past {@code folder-purge-after}, and which names are left out because they cannot be stored.
 * {@link FolderList} persists the result.
 *
 * @param listed the selectable, storable folders of the server's list, in its order
 * @param back stored folders that were marked gone and are listed again
 * @param missing stored folders missing from the list for the first time (marked gone now)
 * @param purge stored folders missing for longer than the purge delay (deleted with their mail)
 * @param unstorable names left out: a name PostgreSQL refuses (NUL, broken UTF-16) or cannot index
 */
record FolderPlan(List<Listed> listed, List<String> back, List<String> missing, List<String> purge,
        List<String> unstorable) {

    /** Longest folder name kept: far above any real one, far below PostgreSQL's index entry limit. */
    static final int MAX_NAME = 1000;

    /** A stored folder, as far as the diff needs it. */
    record Known(String name, boolean sync, Instant goneSince) {
    }

    /**
     * A folder of the server's list.
     *
     * @param known whether it is stored already
     * @param sync whether it is synced (the stored choice, or the default for a new folder)
     * @param specialUse its SPECIAL-USE, from the server or implied by its well-known name
     */
    record Listed(RemoteFolder remote, boolean known, boolean sync, String specialUse) {
        String name() {
            return remote.name();
        }
    }

    static FolderPlan diff(List<Known> known, List<RemoteFolder> remote, SpecialFolders special,
            Duration purgeAfter, Instant now) {
        java.util.Map<String, Known> byName = new java.util.HashMap<>();
        known.forEach(k -> byName.put(k.name(), k));
        List<Listed> listed = new ArrayList<>();
        List<String> back = new ArrayList<>();
        List<String> unstorable = new ArrayList<>();
        for (RemoteFolder r : remote) {
            if (!r.selectable()) {
                continue;
            }
            if (!storable(r.name())) {
                unstorable.add(r.name());
                continue;
            }
            Known k = byName.get(r.name());
            if (k != null && k.goneSince() != null) {
                back.add(r.name());
            }
            boolean sync = k == null ? special.syncByDefault(r, remote) : k.sync();
            listed.add(new Listed(r, k != null, sync, special.specialUse(r)));
        }
        Set<String> present = new HashSet<>(listed.stream().map(Listed::name).toList());
        List<String> missing = new ArrayList<>();
        List<String> purge = new ArrayList<>();
        for (Known k : known) {
            if (present.contains(k.name())) {
                continue;
            }
            if (k.goneSince() == null) {
                missing.add(k.name());
            } else if (!k.goneSince().plus(purgeAfter).isAfter(now)) {
                purge.add(k.name());
            }
        }
        return new FolderPlan(listed, back, missing, purge, unstorable);
    }

    /** The folders to sync, INBOX first, the others in the server's order. */
    List<Listed> toSync() {
        return listed.stream().filter(Listed::sync)
                .sorted(Comparator.comparing((Listed l) -> !"INBOX".equalsIgnoreCase(l.name()))).toList();
    }

    static boolean storable(String name) {
        return name != null && !name.isEmpty() && name.length() <= MAX_NAME && PgText.clean(name).equals(name);
    }
}
