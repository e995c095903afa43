package dev.mailsync.sync;

import java.time.Instant;

import jakarta.enterprise.context.ApplicationScoped;

import dev.mailsync.common.db.Jdbc;
import dev.mailsync.imap.FolderSnapshot;

/**
 * A folder's sync position in {@code folder}, written by a pass with one statement each (every pass of every folder
 * writes it, so it goes by hand-written SQL rather than loading the entity to change three fields): what a folder
 * pass starts from, and where a complete one ended, with the folder's message counts.
 */
@ApplicationScoped
class FolderStates {

    private final Jdbc jdbc;

    FolderStates(Jdbc jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * The folder's UIDVALIDITY and initial window as this pass found them; {@code forgetModseq} drops the saved
     * HIGHESTMODSEQ (a new UIDVALIDITY, or messages dropped: the next pass must not skip the folder).
     */
    void started(long folderId, long uidValidity, Instant window, boolean forgetModseq) {
        jdbc.update("""
                update folder set uidvalidity = ?, sync_since = ?,
                    highest_modseq = case when ? then null else highest_modseq end
                where id = ?""", uidValidity, window, forgetModseq, folderId);
    }

    /**
     * A complete folder pass: its UIDNEXT and (CONDSTORE) HIGHESTMODSEQ, which let the next pass skip it, the time,
     * and with {@code recount} the stored and unseen messages counted again.
     */
    void completed(long folderId, FolderSnapshot snapshot, boolean recount) {
        Long uidNext = snapshot.uidNext() > 0 ? snapshot.uidNext() : null;
        Long modseq = snapshot.highestModseq() > 0 ? snapshot.highestModseq() : null;
        if (!recount) {
            jdbc.update("update folder set uidnext = ?, highest_modseq = ?, synced_at = now() where id = ?", uidNext,
                    modseq, folderId);
            return;
        }
        jdbc.update("""
                update folder f set uidnext = ?, highest_modseq = ?, synced_at = now(),
                    messages = x.total, unseen = x.unseen
                from (select count(*) total, count(*) filter (where not seen) unseen
                      from message where folder_id = ?) x
                where f.id = ?""", uidNext, modseq, folderId, folderId);
    }
}
