package dev.mailsync.events;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.mailsync.common.db.Jdbc;

/**
 * Writes and reads the event log ({@code event}, see V10__events.sql). Writers call it inside the transaction that
 * makes the change, so an event exists exactly when its change committed. Readers see only settled events: those
 * whose transaction is older than every transaction still running, in {@link Position} order, so reading on from
 * the last position seen never skips one that commits later.
 */
@ApplicationScoped
public class EventLog {

    /** The events no running transaction can still precede. */
    static final String SETTLED = "e.tx < pg_snapshot_xmin(pg_current_snapshot())";

    private static final String COLUMNS = """
            e.tx::text::bigint, e.id, e.user_id, e.mailbox_id, e.type, e.message_id, e.folder, e.announce,
            e.data::text, e.created_at""";

    /** Writes the {@code data} of events: plain maps of strings, numbers and booleans. */
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Jdbc jdbc;

    public EventLog(Jdbc jdbc) {
        this.jdbc = jdbc;
    }

    /** One event per message of one folder (none when {@code messageIds} is empty). */
    public void messages(UUID mailboxId, EventType type, String folder, Collection<Long> messageIds,
            boolean announce) {
        if (!type.aboutMessage()) {
            throw new IllegalArgumentException(type + " is not about a message");
        }
        if (messageIds.isEmpty()) {
            return;
        }
        jdbc.update("""
                insert into event (user_id, mailbox_id, type, message_id, folder, announce)
                select m.user_id, m.id, ?, unnest(?), ?, ? from mailbox m where m.id = ?""",
                type.wire(), Jdbc.array("bigint", messageIds), folder, announce, mailboxId);
    }

    /** An event about the mailbox as a whole or its outbox; {@code dataJson} is a JSON object or null. */
    public void mailbox(UUID mailboxId, EventType type, String dataJson) {
        if (type.aboutMessage()) {
            throw new IllegalArgumentException(type + " needs message ids");
        }
        jdbc.update("""
                insert into event (user_id, mailbox_id, type, data)
                select m.user_id, m.id, ?, ?::jsonb from mailbox m where m.id = ?""", type.wire(), dataJson,
                mailboxId);
    }

    /** An event about the mailbox as a whole or its outbox, with these further fields (none: an empty map). */
    public void mailbox(UUID mailboxId, EventType type, Map<String, ?> data) {
        try {
            mailbox(mailboxId, type, data.isEmpty() ? null : JSON.writeValueAsString(data));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("event data that is not JSON", e);
        }
    }

    /** Settled events after {@code from}, oldest first, at most {@code limit}. */
    public List<Event> after(Position from, int limit) {
        return jdbc.list("select " + COLUMNS + " from event e where (e.tx, e.id) > (?::text::xid8, ?) and "
                + SETTLED + " order by e.tx, e.id limit ?", EventLog::event, from.tx(), from.id(), limit);
    }

    /** Settled events of one mailbox after {@code from}, oldest first, at most {@code limit}. */
    public List<Event> afterInMailbox(UUID mailboxId, Position from, int limit) {
        return jdbc.list("select " + COLUMNS + " from event e where e.mailbox_id = ? and (e.tx, e.id) > "
                + "(?::text::xid8, ?) and " + SETTLED + " order by e.tx, e.id limit ?", EventLog::event, mailboxId,
                from.tx(), from.id(), limit);
    }

    /** Settled events of one user's mailboxes after {@code from}, oldest first, at most {@code limit}. */
    public List<Event> afterForUser(String userId, Position from, int limit) {
        return jdbc.list("select " + COLUMNS + " from event e where e.user_id = ? and (e.tx, e.id) > "
                + "(?::text::xid8, ?) and " + SETTLED + " order by e.tx, e.id limit ?", EventLog::event, userId,
                from.tx(), from.id(), limit);
    }

    /**
     * The mailbox's current state: the position of its newest settled event, or (none left) the retention horizon.
     * One read of the {@code event_mailbox} index.
     */
    public Position state(UUID mailboxId) {
        return jdbc.optional("select e.tx::text::bigint, e.id from event e where e.mailbox_id = ? and " + SETTLED
                + " order by e.tx desc, e.id desc limit 1", EventLog::position, mailboxId).orElseGet(this::horizon);
    }

    /** The newest position removed by retention: nothing at or before it can be read any more. */
    public Position horizon() {
        return jdbc.one("select tx::text::bigint, id from event_horizon", EventLog::position);
    }

    /** The position of the newest settled event of all, or (none left) the retention horizon. */
    public Position latest() {
        return jdbc.optional("select e.tx::text::bigint, e.id from event e where " + SETTLED
                + " order by e.tx desc, e.id desc limit 1", EventLog::position).orElseGet(this::horizon);
    }

    /** Whether committed events after {@code from} exist that are not settled yet (an older transaction runs). */
    public boolean unsettledAfter(Position from) {
        return jdbc.exists("select 1 from event e where (e.tx, e.id) > (?::text::xid8, ?) and not " + SETTLED
                + " limit 1", from.tx(), from.id());
    }

    private static Position position(ResultSet rs) throws SQLException {
        return new Position(rs.getLong(1), rs.getLong(2));
    }

    private static Event event(ResultSet rs) throws SQLException {
        Long messageId = rs.getObject(6, Long.class);
        return new Event(position(rs), rs.getString(3), rs.getObject(4, UUID.class),
                EventType.fromWire(rs.getString(5)), messageId, rs.getString(7),
                rs.getBoolean(8), rs.getString(9), Jdbc.instant(rs, 10));
    }
}
