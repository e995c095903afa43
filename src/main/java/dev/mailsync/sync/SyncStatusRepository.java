package dev.mailsync.sync;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import dev.mailsync.common.db.Jdbc;
import dev.mailsync.mailbox.SyncSummaries;

/** Reads sync status for the API; also the mailbox list's summaries. */
@ApplicationScoped
public class SyncStatusRepository implements SyncSummaries {

    private static final String STATUS = """
            select m.id, m.state, s.lease_until > now() as running,
                   (s.requested_at is not null or s.next_run_at <= now()) as due,
                   s.last_started_at, s.last_finished_at, s.last_success_at, s.next_run_at,
                   s.last_error_code, s.last_error_message, s.progress_folder, s.progress_done, s.progress_total
            from mailbox m left join mailbox_sync s on s.mailbox_id = m.id
            where m.id = any(?)""";

    private final Jdbc jdbc;

    public SyncStatusRepository(Jdbc jdbc) {
        this.jdbc = jdbc;
    }

    /** The status, with {@code changeState} (read before it by the caller). */
    public SyncStatus status(UUID mailboxId, String changeState) {
        SyncStatus status = statuses(List.of(mailboxId)).get(mailboxId);
        List<SyncStatus.FolderCount> folders = jdbc.list("""
                select name, messages from folder where mailbox_id = ? and sync and gone_since is null
                order by lower(name) <> 'inbox', name""",
                rs -> new SyncStatus.FolderCount(rs.getString(1), rs.getInt(2)), mailboxId);
        return new SyncStatus(status.state(), status.lastStartedAt(), status.lastFinishedAt(), status.lastSuccessAt(),
                status.nextRunAt(), status.lastError(), status.progress(), folders, changeState);
    }

    @Override
    public Map<UUID, Summary> summaries(List<UUID> mailboxIds) {
        Map<UUID, Summary> summaries = new HashMap<>();
        statuses(mailboxIds).forEach((id, s) -> summaries.put(id, new Summary(s.state(), s.lastSuccessAt(),
                s.lastError() == null ? null : s.lastError().code())));
        return summaries;
    }

    private Map<UUID, SyncStatus> statuses(List<UUID> mailboxIds) {
        Map<UUID, SyncStatus> statuses = new HashMap<>();
        jdbc.query(STATUS, List.of(Jdbc.array("uuid", mailboxIds)), rs -> {
            String errorCode = rs.getString(9);
            String state;
            if (!"ACTIVE".equals(rs.getString(2))) {
                state = rs.getString(2).toLowerCase();
            } else if (rs.getBoolean(3)) {
                state = "syncing";
            } else if (rs.getBoolean(4)) {
                state = "queued";
            } else if (errorCode != null) {
                state = "error";
            } else {
                state = "idle";
            }
            String folder = rs.getString(11);
            statuses.put(rs.getObject(1, UUID.class), new SyncStatus(state, Jdbc.instant(rs, 5), Jdbc.instant(rs, 6),
                    Jdbc.instant(rs, 7), Jdbc.instant(rs, 8),
                    errorCode == null ? null : new SyncStatus.Error(errorCode, rs.getString(10)),
                    folder == null || !rs.getBoolean(3) ? null
                            : new SyncStatus.Progress(folder, rs.getInt(12), rs.getInt(13)),
                    List.of(), null));
        });
        return statuses;
    }

}
