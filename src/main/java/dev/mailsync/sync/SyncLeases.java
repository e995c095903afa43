package dev.mailsync.sync;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import dev.mailsync.common.db.Jdbc;
import dev.mailsync.common.db.PgText;
import dev.mailsync.events.EventLog;
import dev.mailsync.events.EventType;
import io.quarkus.narayana.jta.QuarkusTransaction;

/**
 * The schedule and leases of sync passes in PostgreSQL ({@code mailbox_sync}). Due mailboxes are claimed with
 * {@code FOR UPDATE SKIP LOCKED}, so with several replicas each mailbox is synced by one of them at a time; a
 * lease that is not renewed runs out and another replica takes the mailbox over. Each call is one statement
 * in its own (auto-commit) transaction, except the ends of a pass, which also record a {@code mailbox.sync} event
 * when the status a frontend sees changes ({@link #statusChange}).
 */
@ApplicationScoped
public class SyncLeases {

    /** The columns of the row as it was before a pass ended (a subquery locks it; RETURNING reads it). */
    private static final String BEFORE = """
            from (select mailbox_id, last_success_at is null as never, last_error_code from mailbox_sync
                  where mailbox_id = ? and lease_owner = ? for update) before
            where s.mailbox_id = before.mailbox_id
            returning before.never, before.last_error_code""";

    private final Jdbc jdbc;
    private final SyncConfig config;
    private final EventLog events;

    public SyncLeases(Jdbc jdbc, SyncConfig config, EventLog events) {
        this.jdbc = jdbc;
        this.config = config;
        this.events = events;
    }

    /**
     * Claims up to {@code limit} due mailboxes for {@code owner}: requested first, then those never synced (freshly
     * connected: their user waits for a first listing, while a synced mailbox's periodic pass only looks for what push
     * has not already brought), then the most overdue. Without the second rule, when many mailboxes are connected at
     * once, those synced first come due again and take turns before the ones still waiting for their first pass.
     */
    public List<UUID> claimDue(String owner, int limit) {
        return jdbc.list("""
                update mailbox_sync s set lease_owner = ?, lease_until = now() + make_interval(secs => ?),
                    last_started_at = now(), requested_at = null,
                    progress_folder = null, progress_done = null, progress_total = null
                where s.mailbox_id in (
                    select d.mailbox_id from mailbox_sync d join mailbox m on m.id = d.mailbox_id
                    where m.state = 'ACTIVE' and (d.next_run_at <= now() or d.requested_at is not null)
                      and (d.lease_until is null or d.lease_until < now())
                    order by d.requested_at nulls last, d.last_success_at is null desc, d.next_run_at
                    limit ? for update of d skip locked)
                returning s.mailbox_id""", rs -> rs.getObject(1, UUID.class), owner, seconds(config.lease()), limit);
    }

    /** Claims one mailbox now if no one holds it (a pass run on demand, e.g. by an operator or a test). */
    public boolean claim(UUID mailboxId, String owner) {
        return jdbc.update("""
                update mailbox_sync set lease_owner = ?, lease_until = now() + make_interval(secs => ?),
                    last_started_at = now(), requested_at = null,
                    progress_folder = null, progress_done = null, progress_total = null
                where mailbox_id = ? and (lease_until is null or lease_until < now())""",
                owner, seconds(config.lease()), mailboxId) == 1;
    }

    /**
     * Claims one mailbox for a folder pass (push) if no one holds it, leaving the schedule and the last pass's
     * record alone.
     */
    public boolean claimForFolders(UUID mailboxId, String owner) {
        return jdbc.update("""
                update mailbox_sync set lease_owner = ?, lease_until = now() + make_interval(secs => ?)
                where mailbox_id = ? and (lease_until is null or lease_until < now())""",
                owner, seconds(config.lease()), mailboxId) == 1;
    }

    /** Ends a folder pass: the mailbox is free again, its schedule as it was. */
    public void endFolderPass(UUID mailboxId, String owner) {
        jdbc.update("update mailbox_sync set lease_owner = null, lease_until = null where mailbox_id = ? and lease_owner = ?",
                mailboxId, owner);
    }

    /** Extends the lease and reports progress; {@code false} when the lease was lost (the pass must stop). */
    public boolean renew(UUID mailboxId, String owner, String folder, int done, int total) {
        return jdbc.update("""
                update mailbox_sync set lease_until = now() + make_interval(secs => ?),
                    progress_folder = ?, progress_done = ?, progress_total = ?
                where mailbox_id = ? and lease_owner = ?""",
                seconds(config.lease()), PgText.clean(folder), done, total, mailboxId, owner) == 1;
    }

    /** Extends the lease of a pass at work (its heartbeat); {@code false} when the lease was lost. */
    public boolean extend(UUID mailboxId, String owner) {
        return jdbc.update("""
                update mailbox_sync set lease_until = now() + make_interval(secs => ?)
                where mailbox_id = ? and lease_owner = ?""", seconds(config.lease()), mailboxId, owner) == 1;
    }

    /** Ends a successful pass: next one after the interval. */
    public void succeeded(UUID mailboxId, String owner) {
        QuarkusTransaction.requiringNew().run(() -> jdbc.optional("""
                update mailbox_sync s set lease_owner = null, lease_until = null, last_finished_at = now(),
                    last_success_at = now(), failures = 0, last_error_code = null, last_error_message = null,
                    next_run_at = now() + make_interval(secs => ?),
                    progress_folder = null, progress_done = null, progress_total = null
                """ + BEFORE, SyncLeases::before, seconds(config.interval()), mailboxId, owner)
                .flatMap(b -> statusChange(b.never(), b.errorCode(), null))
                .ifPresent(data -> events.mailbox(mailboxId, EventType.MAILBOX_SYNC, data)));
    }

    /**
     * Ends a failed pass: the error is recorded and the next pass waits longer after each failure in a row
     * (doubling from the interval up to {@code max-backoff}), or as long as the server asked.
     */
    public void failed(UUID mailboxId, String owner, SyncError error, String message, Duration retryAfter) {
        QuarkusTransaction.requiringNew().run(() -> jdbc.optional("""
                update mailbox_sync s set lease_owner = null, lease_until = null, last_finished_at = now(),
                    failures = s.failures + 1, last_error_code = ?, last_error_message = ?,
                    next_run_at = now() + make_interval(secs => greatest(?,
                        least(? * power(2, least(s.failures, 16)), ?))),
                    progress_folder = null, progress_done = null, progress_total = null
                """ + BEFORE, SyncLeases::before, error.code(), truncate(message),
                retryAfter == null ? 0.0 : seconds(retryAfter), seconds(config.interval()),
                seconds(config.maxBackoff()), mailboxId, owner)
                .flatMap(b -> statusChange(b.never(), b.errorCode(), error.code()))
                .ifPresent(data -> events.mailbox(mailboxId, EventType.MAILBOX_SYNC, data)));
    }

    /** The row before a pass ended: never synced successfully, and the error of the pass before. */
    private record Before(boolean never, String errorCode) {
    }

    private static Before before(java.sql.ResultSet rs) throws java.sql.SQLException {
        return new Before(rs.getBoolean(1), rs.getString(2));
    }

    /**
     * The {@code mailbox.sync} event's data when a pass's end changes what a frontend sees: the first sync finished,
     * or an error appeared, changed its code or cleared. A periodic pass that ends as the one before did changes
     * nothing (else the change-feed state would move every interval for nothing).
     *
     * @param neverSynced no pass had succeeded before this one
     * @param errorBefore the error code of the pass before (null: none)
     * @param errorNow this pass's error code (null: it succeeded)
     */
    static Optional<Map<String, Object>> statusChange(boolean neverSynced, String errorBefore, String errorNow) {
        boolean firstSync = errorNow == null && neverSynced;
        if (!firstSync && Objects.equals(errorBefore, errorNow)) {
            return Optional.empty();
        }
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("status", errorNow == null ? "ok" : "error");
        data.put("error", errorNow);
        if (firstSync) {
            data.put("firstSync", true);
        }
        return Optional.of(data);
    }

    /** Gives a mailbox back without a verdict (shutdown): another replica may take it at once. */
    public void release(UUID mailboxId, String owner) {
        jdbc.update("""
                update mailbox_sync set lease_owner = null, lease_until = null, next_run_at = now(),
                    progress_folder = null, progress_done = null, progress_total = null
                where mailbox_id = ? and lease_owner = ?""", mailboxId, owner);
    }

    /** Asks for a pass as soon as a worker is free; nothing happens while one is queued or running. */
    public void request(UUID mailboxId) {
        jdbc.update("""
                update mailbox_sync set requested_at = coalesce(requested_at, now())
                where mailbox_id = ? and (lease_until is null or lease_until < now())""", mailboxId);
    }

    /** A freshly connected (or re-linked) mailbox: due now, its old errors forgotten. */
    public void scheduleNow(UUID mailboxId) {
        jdbc.update("""
                insert into mailbox_sync (mailbox_id, next_run_at) values (?, now())
                on conflict (mailbox_id) do update set next_run_at = now(), failures = 0,
                    last_error_code = null, last_error_message = null""", mailboxId);
    }

    private static double seconds(Duration d) {
        return d.toMillis() / 1000.0;
    }

    /** An error message (it may quote the mail server) as PostgreSQL takes it, at most 500 characters. */
    private static String truncate(String message) {
        return PgText.clean(PgText.truncate(message, 500));
    }

}
