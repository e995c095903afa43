package dev.mailsync.push;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import dev.mailsync.common.db.Jdbc;
import dev.mailsync.common.db.PgText;

/**
 * Which replica watches which mailbox ({@code mailbox_watch}) and which replicas are alive ({@code push_replica}),
 * in PostgreSQL. Watches are claimed with {@code FOR UPDATE SKIP LOCKED}, so each mailbox is watched by one replica
 * at a time; a lease that is not renewed runs out and another replica takes the mailbox over. Each call is one
 * statement in its own (auto-commit) transaction.
 */
@ApplicationScoped
public class WatchLeases {

    /** A mailbox this replica holds, with the folders it should keep in IDLE (INBOX first, then pushed ones). */
    public record Held(UUID mailboxId, List<String> folders) {
    }

    /** What the replica sees at a poll: the live replicas (itself included) and the mailboxes worth watching. */
    public record Census(int replicas, int watchable) {
    }

    /** The folders of watch {@code w} to keep in IDLE: stored, present, synced; INBOX, then pushed ones by name. */
    private static final String FOLDERS_TO_WATCH = """
            array(select f.name from folder f
                  where f.mailbox_id = w.mailbox_id and f.sync and f.gone_since is null
                    and (f.push or upper(f.name) = 'INBOX')
                  order by upper(f.name) <> 'INBOX', f.name)""";

    private final Jdbc jdbc;
    private final PushConfig config;

    public WatchLeases(Jdbc jdbc, PushConfig config) {
        this.jdbc = jdbc;
        this.config = config;
    }

    /**
     * Says this replica is alive, and counts the live replicas (itself included) and the watchable mailboxes:
     * active ones, not known to lack IDLE (or known so long ago that it is time to ask again). Also gives every
     * active mailbox its watch row, so that the claims can lock rows.
     */
    public Census census(String owner) {
        jdbc.update("""
                insert into mailbox_watch (mailbox_id)
                select m.id from mailbox m
                where m.state = 'ACTIVE' and not exists (select 1 from mailbox_watch w where w.mailbox_id = m.id)
                on conflict do nothing""");
        return jdbc.one("""
                with beat as (
                    insert into push_replica (owner, alive_until) values (?, now() + make_interval(secs => ?))
                    on conflict (owner) do update set alive_until = excluded.alive_until
                    returning owner)
                select (select count(*) from push_replica where alive_until > now() and owner <> ?) + 1,
                    (select count(*) from mailbox_watch w join mailbox m on m.id = w.mailbox_id
                     where m.state = 'ACTIVE' and (w.idle_supported is not false
                         or w.checked_at < now() - make_interval(secs => ?)))""",
                rs -> new Census(rs.getInt(1), rs.getInt(2)), owner, seconds(config.lease()), owner,
                seconds(config.idleRecheck()));
    }

    /**
     * Renews every watch lease of this owner whose mailbox is still active, and answers them with the folders to
     * keep in IDLE (stored, present and synced: INBOX first, then those marked {@code push}, by name). A watch not
     * answered was lost (another replica holds it, or the mailbox is no longer active) and must stop.
     */
    public List<Held> renew(String owner) {
        return jdbc.list("""
                update mailbox_watch w set lease_until = now() + make_interval(secs => ?)
                from mailbox m
                where m.id = w.mailbox_id and m.state = 'ACTIVE' and w.lease_owner = ? and w.lease_until > now()
                returning w.mailbox_id, """ + FOLDERS_TO_WATCH, WatchLeases::held, seconds(config.lease()), owner);
    }

    /** Claims up to {@code limit} watchable mailboxes that no live lease holds (the longest unwatched first). */
    public List<Held> claim(String owner, int limit) {
        if (limit <= 0) {
            return List.of();
        }
        return jdbc.list("""
                update mailbox_watch w set lease_owner = ?, lease_until = now() + make_interval(secs => ?),
                    started_at = now(), folders = '{}'
                where w.mailbox_id in (
                    select c.mailbox_id from mailbox_watch c join mailbox m on m.id = c.mailbox_id
                    where m.state = 'ACTIVE' and (c.lease_until is null or c.lease_until < now())
                      and (c.idle_supported is not false or c.checked_at < now() - make_interval(secs => ?))
                    order by c.lease_until nulls first
                    limit ? for update of c skip locked)
                returning w.mailbox_id, """ + FOLDERS_TO_WATCH, WatchLeases::held, owner, seconds(config.lease()),
                seconds(config.idleRecheck()), limit);
    }

    /** Gives watches back at once (shutdown, or more than the fair share): another replica claims them at its poll. */
    public void release(String owner, Collection<UUID> mailboxIds) {
        if (mailboxIds.isEmpty()) {
            return;
        }
        jdbc.update("""
                update mailbox_watch set lease_owner = null, lease_until = null, folders = '{}'
                where lease_owner = ? and mailbox_id = any(?)""", owner, Jdbc.array("uuid", mailboxIds));
    }

    /** Shutdown: this replica leaves, so the others count one replica fewer at their next poll. */
    public void leave(String owner) {
        jdbc.update("delete from push_replica where owner = ?", owner);
    }

    /** The folders now in IDLE (their watch works: the server offers IDLE, and old errors are forgotten). */
    public void watching(UUID mailboxId, String owner, Collection<String> folders) {
        jdbc.update("""
                update mailbox_watch set folders = ?, idle_supported = true, checked_at = now(),
                    last_error = null, last_error_at = null
                where mailbox_id = ? and lease_owner = ?""",
                Jdbc.array("text", folders.stream().map(PgText::clean).toList()), mailboxId, owner);
    }

    /** A connection of the watch failed (it is retried with backoff); the message may quote the server. */
    public void failed(UUID mailboxId, String owner, String message) {
        jdbc.update("""
                update mailbox_watch set last_error = ?, last_error_at = now()
                where mailbox_id = ? and lease_owner = ?""",
                PgText.clean(PgText.truncate(message, 500)), mailboxId, owner);
    }

    /** The server offers no IDLE: the mailbox keeps the periodic pass, and the watch is given back. */
    public void noIdle(UUID mailboxId, String owner) {
        jdbc.update("""
                update mailbox_watch set idle_supported = false, checked_at = now(), lease_owner = null,
                    lease_until = null, folders = '{}'
                where mailbox_id = ? and lease_owner = ?""", mailboxId, owner);
    }

    private static Held held(java.sql.ResultSet rs) throws java.sql.SQLException {
        return new Held(rs.getObject(1, UUID.class), Jdbc.strings(rs, 2));
    }

    private static double seconds(Duration d) {
        return d.toMillis() / 1000.0;
    }
}
