package dev.mailsync.sync;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import dev.mailsync.common.db.PgText;
import dev.mailsync.imap.RemoteFolder;
import dev.mailsync.message.Folder;
import dev.mailsync.message.FolderRepository;
import io.quarkus.logging.Log;
import io.quarkus.narayana.jta.QuarkusTransaction;

/**
 * Keeps the stored folders in step with the server's LIST. A new folder gets the default sync choice. A folder
 * missing from the list is not deleted with its mail at once (a LIST answered in a hurry, a folder renamed and back,
 * a glitch on the server's side would cost the user a re-download, or mail if the server is gone for good): it is
 * marked gone, hidden and not synced, and purged only after it has stayed missing for
 * {@code mailsync.sync.folder-purge-after}. Coming back clears the mark.
 */
@ApplicationScoped
public class FolderList {

    private final FolderRepository folders;
    private final SyncConfig config;

    public FolderList(FolderRepository folders, SyncConfig config) {
        this.folders = folders;
        this.config = config;
    }

    /** Records the server's folders; answers those to sync (INBOX first). */
    public List<Folder> reconcile(UUID mailboxId, List<RemoteFolder> remote) {
        return QuarkusTransaction.requiringNew().call(() -> {
            Map<String, Folder> known = new HashMap<>();
            for (Folder f : folders.listAll(mailboxId)) {
                known.put(f.name, f);
            }
            Set<String> present = new HashSet<>();
            List<Folder> toSync = new ArrayList<>();
            for (RemoteFolder r : remote) {
                if (!r.selectable()) {
                    continue;
                }
                if (!storable(r.name())) {
                    // a hostile or broken server: a name PostgreSQL refuses (NUL, broken UTF-16) or cannot index
                    // would fail every pass of the mailbox; such a folder is left out, the others sync
                    Log.warnf("A folder of mailbox %s has a name that cannot be stored (%d characters): not synced",
                            mailboxId, r.name().length());
                    continue;
                }
                present.add(r.name());
                Folder f = known.get(r.name());
                if (f == null) {
                    f = new Folder();
                    f.mailboxId = mailboxId;
                    f.name = r.name();
                    f.sync = SyncPlan.syncByDefault(r, remote, config.sentFolderNames());
                } else if (f.goneSince != null) {
                    Log.infof("Folder %s is back on the server", f.name);
                    f.goneSince = null;
                }
                f.delimiter = PgText.clean(r.delimiter());
                f.specialUse = SyncPlan.specialUse(r);
                folders.persist(f);
                if (f.sync) {
                    toSync.add(f);
                }
            }
            Instant now = Instant.now();
            for (Folder f : known.values()) {
                if (present.contains(f.name)) {
                    continue;
                }
                if (f.goneSince == null) {
                    Log.infof("Folder %s is missing from the server's folder list: hidden, purged if it stays away %s",
                            f.name, config.folderPurgeAfter());
                    f.goneSince = now;
                } else if (!f.goneSince.plus(config.folderPurgeAfter()).isAfter(now)) {
                    Log.infof("Folder %s has been gone since %s: deleted with its mail", f.name, f.goneSince);
                    folders.delete(f);
                }
            }
            toSync.sort((a, b) -> Boolean.compare(!"INBOX".equalsIgnoreCase(a.name), !"INBOX".equalsIgnoreCase(b.name)));
            return toSync;
        });
    }

    /** Longest folder name kept: far above any real one, far below PostgreSQL's index entry limit. */
    static final int MAX_NAME = 1000;

    static boolean storable(String name) {
        return name != null && !name.isEmpty() && name.length() <= MAX_NAME && PgText.clean(name).equals(name);
    }
}
