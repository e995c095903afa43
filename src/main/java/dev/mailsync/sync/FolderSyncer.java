package dev.mailsync.sync;

import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.mail.MessagingException;

import dev.mailsync.imap.FolderSnapshot;
import dev.mailsync.imap.ImapSession;
import dev.mailsync.imap.ServerMessage;
import dev.mailsync.message.Folder;
import dev.mailsync.message.MessageFlags;
import dev.mailsync.message.MessageStore;
import io.quarkus.logging.Log;
import io.quarkus.narayana.jta.QuarkusTransaction;

/**
 * One folder of a pass: prepares it (UIDVALIDITY, CONDSTORE, initial window), applies the server's flag changes
 * and deletions, has the {@link FetchPipeline} store the new messages, then saves the folder's state. Each step
 * commits on its own, so a pass cut anywhere loses nothing.
 */
@ApplicationScoped
public class FolderSyncer {

    private final MessageStore store;
    private final FolderStates states;
    private final FetchPipeline pipeline;
    private final SyncConfig config;
    private final SyncMetrics metrics;

    public FolderSyncer(MessageStore store, FolderStates states, FetchPipeline pipeline, SyncConfig config,
            SyncMetrics metrics) {
        this.states = states;
        this.store = store;
        this.pipeline = pipeline;
        this.config = config;
        this.metrics = metrics;
    }

    void sync(ImapSession imap, Folder folder, boolean condstore, String owner)
            throws MessagingException {
        FolderSnapshot snapshot = imap.examine(folder.name, condstore);
        long uidValidity = snapshot.uidValidity();
        SyncPlan.Start start = SyncPlan.start(folder.uidvalidity, folder.highestModseq, folder.syncSince, snapshot,
                condstore, config.initialWindow(), Instant.now());
        if (folder.uidvalidity != null && start.newValidity()) {
            Log.infof("UIDVALIDITY of %s changed (%d -> %d): resyncing the folder", folder.name, folder.uidvalidity,
                    uidValidity);
        }
        if (start.unchanged()) {
            saveFolderState(folder.id, snapshot, false);
            return; // CONDSTORE: nothing changed since the last complete pass
        }
        Instant window = start.window();
        prepare(folder, uidValidity, start.newValidity(), window);
        SyncPlan plan = plan(imap, folder, uidValidity, window);
        applyChanges(folder, uidValidity, plan);
        // a folder's first fill (or refill under a new UIDVALIDITY) reaches the change feed but is not announced
        // as new mail: thousands of old messages are not news (the folder's first complete pass sets syncedAt)
        boolean announce = folder.syncedAt != null && !start.newValidity();
        pipeline.fetch(imap, folder, uidValidity, owner, plan.toFetch(), announce);
        saveFolderState(folder.id, snapshot, true);
    }

    /**
     * Drops what was stored under another UIDVALIDITY, and records the folder's UIDVALIDITY and window (a new
     * UIDVALIDITY, or dropped messages, forget the HIGHESTMODSEQ: the next pass must not skip the folder).
     */
    private void prepare(Folder folder, long uidValidity, boolean newValidity, Instant window) {
        QuarkusTransaction.requiringNew().call(() -> {
            int dropped = store.deleteOtherUidValidity(folder, uidValidity);
            metrics.messages(0, 0, dropped);
            states.started(folder.id, uidValidity, window, dropped > 0 || newValidity);
            return null;
        });
    }

    /** Compares the server's listing with the store. */
    private SyncPlan plan(ImapSession imap, Folder folder, long uidValidity, Instant window)
            throws MessagingException {
        Map<Long, MessageFlags> stored = store.storedFlags(folder.id, uidValidity);
        List<ServerMessage> server = imap.listMessages();
        Set<Long> wanted = window == null ? null : new HashSet<>(imap.uidsSince(window));
        return SyncPlan.plan(stored, server, wanted);
    }

    /** Applies the server's flag changes and deletions in one transaction. */
    private void applyChanges(Folder folder, long uidValidity, SyncPlan plan) {
        metrics.messages(0, plan.flagChanges().size(), plan.toDelete().size());
        if (plan.flagChanges().isEmpty() && plan.toDelete().isEmpty()) {
            return;
        }
        QuarkusTransaction.requiringNew().call(() -> {
            store.updateFlags(folder, uidValidity, plan.flagChanges());
            store.delete(folder, uidValidity, plan.toDelete());
            store.recount(folder.id);
            return null;
        });
        Log.debugf("%s: %d flag changes, %d deleted", folder.name, plan.flagChanges().size(),
                plan.toDelete().size());
    }

    /** After a complete folder pass: its UIDNEXT and (CONDSTORE) HIGHESTMODSEQ, which let the next pass skip it. */
    private void saveFolderState(long folderId, FolderSnapshot snapshot, boolean recount) {
        states.completed(folderId, snapshot, recount); // one statement: its own transaction
    }
}
