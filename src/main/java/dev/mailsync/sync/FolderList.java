package dev.mailsync.sync;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import dev.mailsync.common.db.PgText;
import dev.mailsync.imap.RemoteFolder;
import dev.mailsync.imap.SpecialFolders;
import dev.mailsync.message.Folder;
import dev.mailsync.message.FolderRepository;
import dev.mailsync.message.MessageStore;
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
    private final MessageStore store;
    private final SyncConfig config;
    private final SpecialFolders special;

    public FolderList(FolderRepository folders, MessageStore store, SyncConfig config, SpecialFolders special) {
        this.folders = folders;
        this.store = store;
        this.config = config;
        this.special = special;
    }

    /** Records the server's folders; answers those to sync (INBOX first). */
    public List<Folder> reconcile(UUID mailboxId, List<RemoteFolder> remote) {
        return QuarkusTransaction.requiringNew().call(() -> {
            Map<String, Folder> stored = new HashMap<>();
            for (Folder f : folders.listAll(mailboxId)) {
                stored.put(f.name, f);
            }
            List<FolderPlan.Known> known = stored.values().stream()
                    .map(f -> new FolderPlan.Known(f.name, f.sync, f.goneSince)).toList();
            Instant now = Instant.now();
            FolderPlan plan = FolderPlan.diff(known, remote, special, config.folderPurgeAfter(), now);
            apply(mailboxId, plan, stored, now);
            return plan.toSync().stream().map(l -> stored.get(l.name())).toList();
        });
    }

    /** The stored folders among {@code names} that are synced and present (a push pass syncs those). */
    public List<Folder> synced(UUID mailboxId, java.util.Set<String> names) {
        return QuarkusTransaction.requiringNew().call(() -> folders.listPresent(mailboxId).stream()
                .filter(f -> f.sync && names.contains(f.name)).toList());
    }

    /** Persists the diff; {@code stored} gains the folders created. */
    private void apply(UUID mailboxId, FolderPlan plan, Map<String, Folder> stored, Instant now) {
        for (String name : plan.unstorable()) {
            // a hostile or broken server: such a name would fail every pass of the mailbox; the others sync
            Log.warnf("A folder of mailbox %s has a name that cannot be stored (%d characters): not synced",
                    mailboxId, name == null ? 0 : name.length());
        }
        for (FolderPlan.Listed listed : plan.listed()) {
            Folder f = stored.computeIfAbsent(listed.name(), name -> {
                Folder created = new Folder();
                created.mailboxId = mailboxId;
                created.name = name;
                created.sync = listed.sync();
                return created;
            });
            f.delimiter = PgText.clean(listed.remote().delimiter());
            f.specialUse = listed.specialUse();
            folders.persist(f);
        }
        for (String name : plan.back()) {
            Log.infof("Folder %s is back on the server", name);
            stored.get(name).goneSince = null;
        }
        for (String name : plan.missing()) {
            Log.infof("Folder %s is missing from the server's folder list: hidden, purged if it stays away %s",
                    name, config.folderPurgeAfter());
            stored.get(name).goneSince = now;
        }
        for (String name : plan.purge()) {
            Folder f = stored.get(name);
            Log.infof("Folder %s has been gone since %s: deleted with its mail", name, f.goneSince);
            store.deleteAll(f); // one message.deleted each (the folder's delete would cascade without them)
            folders.delete(f);
        }
    }
}
