package dev.mailsync.sync;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.FolderClosedException;
import jakarta.mail.MessagingException;
import jakarta.mail.StoreClosedException;

import org.jboss.logging.MDC;

import dev.mailsync.imap.ImapBusy;
import dev.mailsync.imap.ImapConnector;
import dev.mailsync.imap.ImapSession;
import dev.mailsync.imap.ImapThrottled;
import dev.mailsync.imap.ImapUse;
import dev.mailsync.message.Folder;
import dev.mailsync.message.MessageStore;
import dev.mailsync.oauth.ReauthorizationRequired;
import dev.mailsync.oauth.TokenUnavailable;
import io.quarkus.logging.Log;

/**
 * One sync pass of one mailbox, under a lease: a fresh access token, one IMAP connection, the folder list,
 * then each synced folder. Network I/O happens outside transactions; each batch is stored in a short
 * transaction of its own, so a pass cut anywhere loses nothing and the next pass carries on.
 */
@ApplicationScoped
public class MailboxSyncer {

    /** Messages made searchable per statement after a pass. */
    static final int SEARCH_BATCH = 2000;

    private final ImapConnector imapConnector;
    private final MessageStore store;
    private final FolderList folders;
    private final FolderSyncer folderSyncer;
    private final SyncLeases leases;
    private final SyncConfig config;
    private final SyncMetrics metrics;
    private final ScheduledExecutorService heartbeats = Executors
            .newSingleThreadScheduledExecutor(FetchPipeline.daemon("sync-heartbeat"));
    private final Map<UUID, ImapSession> open = new ConcurrentHashMap<>();
    private final Set<UUID> aborted = ConcurrentHashMap.newKeySet();
    private final Set<UUID> lost = ConcurrentHashMap.newKeySet();

    public MailboxSyncer(ImapConnector imapConnector, MessageStore store, FolderList folders,
            FolderSyncer folderSyncer, SyncLeases leases, SyncConfig config, SyncMetrics metrics) {
        this.imapConnector = imapConnector;
        this.store = store;
        this.folders = folders;
        this.folderSyncer = folderSyncer;
        this.leases = leases;
        this.config = config;
        this.metrics = metrics;
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
            outcome = fail(mailboxId, owner, SyncError.REAUTH_REQUIRED, e.getMessage(), null);
        } catch (TokenUnavailable e) {
            outcome = fail(mailboxId, owner, SyncError.TOKEN_UNAVAILABLE, e.getMessage(), e.retryAfter().orElse(null));
        } catch (ImapThrottled e) {
            outcome = fail(mailboxId, owner, SyncError.IMAP_THROTTLED, e.getMessage(), e.retryAfter());
        } catch (ImapBusy e) {
            outcome = fail(mailboxId, owner, SyncError.IMAP_BUSY, e.getMessage(), e.retryAfter());
        } catch (MessagingException e) {
            outcome = imapFailure(mailboxId, owner, e);
        } catch (RuntimeException e) {
            if (!aborted.contains(mailboxId) && !lost.contains(mailboxId)) {
                Log.errorf(e, "Sync pass failed");
            }
            outcome = fail(mailboxId, owner, SyncError.INTERNAL_ERROR, "The pass failed inside mailsync; it was logged",
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

    /** How a folder pass ended. */
    public enum FolderPass {
        /** The folders were synced (or are no longer synced folders). */
        DONE,
        /** Another pass holds the mailbox: ask again shortly. */
        BUSY,
        /** The pass failed (logged); the periodic pass will meet the same trouble and record it. */
        FAILED
    }

    /**
     * A pass of a few folders of a mailbox (push: the server said they changed), not of the whole mailbox: it holds
     * the mailbox's sync lease like a full pass, so the two never run at once, but leaves the schedule alone (the
     * full pass stays due when it was). Folders that are not synced, or gone, are skipped.
     */
    public FolderPass runFolderPass(UUID mailboxId, Set<String> folderNames, String owner) {
        if (!leases.claimForFolders(mailboxId, owner)) {
            return FolderPass.BUSY;
        }
        MDC.put("mailboxId", mailboxId.toString());
        try (Heartbeat heartbeat = Heartbeat.start(heartbeats, leases, mailboxId, owner, config.lease(),
                () -> leaseLost(mailboxId)); ImapSession imap = imapConnector.open(mailboxId, ImapUse.SYNC)) {
            open.put(mailboxId, imap);
            boolean condstore = imap.hasCondstore();
            for (Folder folder : folders.synced(mailboxId, folderNames)) {
                folderSyncer.sync(imap, folder, condstore, owner);
            }
            return FolderPass.DONE;
        } catch (MessagingException | RuntimeException e) {
            imapConnector.throttled(mailboxId, e, ImapUse.SYNC); // a throttling reply backs the mailbox off
            if (!aborted.contains(mailboxId) && !lost.contains(mailboxId)) {
                Log.warnf("Folder pass of %s failed: %s", folderNames, e.getMessage());
            }
            return FolderPass.FAILED;
        } finally {
            open.remove(mailboxId);
            aborted.remove(mailboxId);
            lost.remove(mailboxId);
            leases.endFolderPass(mailboxId, owner);
            indexForSearch(mailboxId);
            MDC.remove("mailboxId");
        }
    }

    /** Makes what the pass stored searchable (after the pass: the mailbox is already listed as synced). */
    private void indexForSearch(UUID mailboxId) {
        try {
            long started = System.nanoTime();
            int indexed = 0;
            int n;
            do { // a short batch was the last: no statement more to find nothing (most passes index a few or none)
                n = store.indexForSearch(mailboxId, SEARCH_BATCH);
                indexed += n;
            } while (n == SEARCH_BATCH);
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
    private String fail(UUID mailboxId, String owner, SyncError error, String message, Duration retryAfter) {
        if (lost.contains(mailboxId)) {
            Log.warnf("Sync pass stopped: the lease on mailbox %s was lost", mailboxId);
            return "lease_lost";
        }
        if (aborted.remove(mailboxId)) {
            Log.info("Sync pass stopped by shutdown; its lease is released for another replica");
            leases.release(mailboxId, owner);
            return "released";
        }
        Log.warnf("Sync pass failed (%s): %s", error.code(), message);
        leases.failed(mailboxId, owner, error, message, retryAfter);
        return error.code();
    }

    /** Shutdown: passes still running lose their IMAP connections and give their mailboxes back. */
    void abortRunningPasses() {
        open.forEach((mailboxId, imap) -> {
            aborted.add(mailboxId);
            imap.abort();
        });
    }

    /** A failure the IMAP server answered: throttling (the mailbox backs off), a refused token, or another error. */
    private String imapFailure(UUID mailboxId, String owner, MessagingException e) {
        Optional<ImapThrottled> throttled = imapConnector.throttled(mailboxId, e, ImapUse.SYNC);
        if (throttled.isPresent()) {
            return fail(mailboxId, owner, SyncError.IMAP_THROTTLED, throttled.get().getMessage(),
                    throttled.get().retryAfter());
        }
        if (e instanceof AuthenticationFailedException) {
            metrics.imapError("auth");
            return fail(mailboxId, owner, SyncError.IMAP_AUTH_FAILED, "The IMAP server refused the access token: "
                    + e.getMessage(), null);
        }
        metrics.imapError(isConnectionFailure(e) ? "connection" : "protocol");
        return fail(mailboxId, owner, SyncError.IMAP_ERROR, String.valueOf(e.getMessage()), null);
    }

    private static boolean isConnectionFailure(MessagingException e) {
        return e instanceof FolderClosedException || e instanceof StoreClosedException
                || e.getCause() instanceof java.io.IOException;
    }

    private void syncMailbox(UUID mailboxId, String owner) throws MessagingException {
        try (ImapSession imap = imapConnector.open(mailboxId, ImapUse.SYNC)) {
            open.put(mailboxId, imap);
            boolean condstore = imap.hasCondstore();
            for (Folder folder : folders.reconcile(mailboxId, imap.listFolders())) {
                folderSyncer.sync(imap, folder, condstore, owner);
            }
        }
    }

    /** Another replica holds the mailbox now (our lease ran out): stop without recording anything. */
    static final class LeaseLost extends RuntimeException {
        LeaseLost(UUID mailboxId) {
            super("lease on mailbox " + mailboxId + " was lost", null, false, false);
        }
    }

}
