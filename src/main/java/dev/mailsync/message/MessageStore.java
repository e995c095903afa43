package dev.mailsync.message;

import java.io.IOException;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;

import dev.mailsync.common.db.Jdbc;
import dev.mailsync.common.db.PgText;
import dev.mailsync.events.EventLog;
import dev.mailsync.events.EventType;

/**
 * Every write of stored messages, by the sync and the API ({@link Jdbc} batches, in the caller's transaction). Inserts
 * are idempotent: a message is identified by folder, UIDVALIDITY and UID, so a pass repeated after a crash never
 * stores it twice. Each write records its events in the same transaction ({@link EventLog}: message.created,
 * .updated, .deleted with the folder's name), for the rows it really changed: an event exists exactly when its
 * change committed.
 */
@ApplicationScoped
public class MessageStore {

    private static final String INSERT = """
            insert into message (mailbox_id, folder_id, uidvalidity, uid, message_id, in_reply_to, reference_ids,
                thread_id, subject, from_addr, to_addr, cc_addr, bcc_addr, reply_to, sent_at, internal_date,
                seen, flagged, answered, draft, deleted, keywords, size, snippet, text_body, html_body,
                attachments, has_attachments, malformed, parse_problems, from_address, to_addresses, list_unsubscribe,
                html_text, truncated)
            values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?::jsonb, ?::jsonb, ?::jsonb, ?::jsonb, ?, ?, ?, ?, ?, ?, ?,
                ?, ?, ?, ?, ?, ?::jsonb, ?, ?, ?, ?, ?, ?, ?, ?)
            on conflict (folder_id, uidvalidity, uid) do nothing""";
    private static final String INSERT_MINIMAL = """
            insert into message (mailbox_id, folder_id, uidvalidity, uid, thread_id, internal_date, seen, flagged,
                answered, draft, deleted, keywords, size, has_attachments, malformed, parse_problems)
            values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, false, true, ?)
            on conflict (folder_id, uidvalidity, uid) do nothing returning id""";

    /**
     * The jsonb columns' writer: every string inside is cleaned too (jsonb refuses {@code \u0000}). A mapper of its
     * own: the application's has generated serializers for the API's records that write strings directly.
     */
    private static final ObjectMapper JSON = JsonMapper.builder()
            .addModule(new SimpleModule().addSerializer(String.class, new CleanString())).build();

    private final Jdbc jdbc;
    private final EventLog events;

    public MessageStore(Jdbc jdbc, EventLog events) {
        this.jdbc = jdbc;
        this.events = events;
    }

    /** UID → flags of the stored messages of a folder (at one UIDVALIDITY). */
    public Map<Long, MessageFlags> storedFlags(long folderId, long uidValidity) {
        Map<Long, MessageFlags> flags = new HashMap<>();
        jdbc.query("""
                select uid, seen, flagged, answered, draft, deleted, keywords from message
                where folder_id = ? and uidvalidity = ?""", List.of(folderId, uidValidity),
                rs -> flags.put(rs.getLong(1), new MessageFlags(rs.getBoolean(2), rs.getBoolean(3), rs.getBoolean(4),
                        rs.getBoolean(5), rs.getBoolean(6), Jdbc.strings(rs, 7))));
        return flags;
    }

    /**
     * Stores new messages (one batch: it fails as a whole); those already stored are left alone. Every string goes
     * through {@link PgText#clean} on its way in ({@link #text}, {@link #array}, {@link #json}), here and nowhere
     * else.
     *
     * @param folder the folder they were fetched from
     * @param announce false for a folder's first fill: the events are for the change feed only (no SSE, webhooks)
     */
    public void insert(Folder folder, List<NewMessage> messages, boolean announce) {
        List<Long> ids = jdbc.batchIds(INSERT, messages, (s, m) -> {
            ParsedMessage p = m.parsed();
            int i = 1;
            s.setObject(i++, m.mailboxId());
            s.setLong(i++, m.folderId());
            s.setLong(i++, m.uidValidity());
            s.setLong(i++, m.uid());
            s.setString(i++, text(p.messageId()));
            s.setString(i++, text(p.inReplyTo()));
            Jdbc.set(s, i++, array(p.references()));
            s.setString(i++, Threads.threadId(p.messageId(), p.inReplyTo(), p.references(), p.subject()));
            s.setString(i++, text(p.subject()));
            s.setString(i++, json(p.from()));
            s.setString(i++, json(p.to()));
            s.setString(i++, json(p.cc()));
            s.setString(i++, json(p.bcc()));
            s.setString(i++, json(p.replyTo()));
            Jdbc.setInstant(s, i++, p.sentAt());
            Jdbc.setInstant(s, i++, m.internalDate());
            i = flags(s, i, m.flags());
            s.setInt(i++, m.size());
            s.setString(i++, text(p.snippet()));
            s.setString(i++, text(p.textBody()));
            s.setString(i++, text(p.htmlBody()));
            s.setString(i++, json(p.attachments()));
            s.setBoolean(i++, !p.attachments().isEmpty());
            s.setBoolean(i++, p.malformed());
            s.setString(i++, p.malformed() ? text(String.join("; ", p.problems())) : null);
            s.setString(i++, p.from().isEmpty() ? null : text(lower(p.from().get(0).address())));
            Jdbc.set(s, i++, array(recipients(p)));
            s.setString(i++, text(p.listUnsubscribe()));
            s.setString(i++, text(p.htmlText()));
            s.setBoolean(i, p.truncated());
        });
        pendingSearch(folder.mailboxId, ids);
        events.messages(folder.mailboxId, EventType.MESSAGE_CREATED, folder.name, ids, announce);
    }

    /**
     * Stores what the database cannot refuse of a message it refused: folder, UID, size, flags and date, marked
     * malformed with {@code why}. The message is listed (and its raw form downloadable); the pass goes on.
     */
    public void insertMinimal(Folder folder, NewMessage m, String why, boolean announce) {
        MessageFlags f = m.flags();
        List<Long> ids = jdbc.list(INSERT_MINIMAL, rs -> rs.getLong(1), m.mailboxId(), m.folderId(), m.uidValidity(),
                m.uid(), Threads.single(m.folderId() + "/" + m.uidValidity() + "/" + m.uid()), m.internalDate(),
                f.seen(), f.flagged(), f.answered(), f.draft(), f.deleted(), array(f.keywords()), m.size(), text(why));
        pendingSearch(folder.mailboxId, ids);
        events.messages(folder.mailboxId, EventType.MESSAGE_CREATED, folder.name, ids, announce);
    }

    /** Messages just stored wait for their search vector ({@link #indexForSearch}). */
    private void pendingSearch(UUID mailboxId, List<Long> ids) {
        if (!ids.isEmpty()) {
            jdbc.update("insert into search_pending (message_id, mailbox_id) select unnest(?), ?",
                    Jdbc.array("bigint", ids), mailboxId);
        }
    }

    private static int flags(PreparedStatement s, int index, MessageFlags f) throws SQLException {
        int i = index;
        s.setBoolean(i++, f.seen());
        s.setBoolean(i++, f.flagged());
        s.setBoolean(i++, f.answered());
        s.setBoolean(i++, f.draft());
        s.setBoolean(i++, f.deleted());
        Jdbc.set(s, i++, array(f.keywords()));
        return i;
    }

    /** Writes changed flags (UID → new flags); a row that has them already is left alone (and has no event). */
    public void updateFlags(Folder folder, long uidValidity, Map<Long, MessageFlags> changes) {
        List<Long> ids = jdbc.batchIds("""
                update message set seen = ?, flagged = ?, answered = ?, draft = ?, deleted = ?, keywords = ?
                where folder_id = ? and uidvalidity = ? and uid = ?
                  and (seen, flagged, answered, draft, deleted, keywords) is distinct from (?, ?, ?, ?, ?, ?)""",
                changes.entrySet(), (s, e) -> {
                    int i = flags(s, 1, e.getValue());
                    s.setLong(i++, folder.id);
                    s.setLong(i++, uidValidity);
                    s.setLong(i++, e.getKey());
                    flags(s, i, e.getValue());
                });
        events.messages(folder.mailboxId, EventType.MESSAGE_UPDATED, folder.name, ids, true);
    }

    /**
     * Computes the full-text search vectors of messages waiting for one ({@code search_pending}: the sync stores first
     * and indexes right after the pass, so that indexing does not slow the initial sync): one vector of the subject
     * and the first 20,000 characters of the body (or of the HTML body's text, extracted at ingest: a regular
     * expression over hostile HTML here would take minutes), and one of the names and addresses of the first 200
     * senders and recipients (the strings of the address lists only, not their JSON keys; an exact address is also
     * found through {@code from_address} and {@code to_addresses}). Each input is cut so that no row can pass a
     * tsvector's 1 MB limit and fail the batch. Two indexers of one mailbox at once (another replica's pass) take
     * different messages. Answers how many waiting messages were taken (a message deleted since is taken, not
     * indexed).
     */
    public int indexForSearch(UUID mailboxId, int limit) {
        return jdbc.one("""
                with taken as (
                    delete from search_pending where message_id in (
                        select message_id from search_pending where mailbox_id = ? limit ? for update skip locked)
                    returning message_id),
                indexed as (
                    update message m set search =
                        to_tsvector('simple', left(coalesce(m.subject, ''), 2000) || ' '
                            || left(coalesce(m.text_body, m.html_text, m.snippet, ''), 20000))
                        || jsonb_to_tsvector('simple', jsonb_path_query_array(
                            m.from_addr || m.to_addr || m.cc_addr || m.bcc_addr, '$[0 to 199]'), '["string"]')
                    from taken t where m.id = t.message_id)
                select count(*) from taken""", rs -> rs.getInt(1), mailboxId, limit);
    }

    /** After a write on the server: the stored copy takes the same flags (no event if it had them). */
    public void setFlags(long messageId, Boolean seen, Boolean flagged) {
        changed(EventType.MESSAGE_UPDATED, """
                update message m set seen = coalesce(?, m.seen), flagged = coalesce(?, m.flagged) from folder f
                where m.id = ? and f.id = m.folder_id
                  and (m.seen, m.flagged) is distinct from (coalesce(?, m.seen), coalesce(?, m.flagged))
                returning m.mailbox_id, f.name, m.id""", seen, flagged, messageId, seen, flagged);
    }

    public void setAnswered(long messageId) {
        changed(EventType.MESSAGE_UPDATED, """
                update message m set answered = true from folder f where m.id = ? and f.id = m.folder_id
                  and not m.answered
                returning m.mailbox_id, f.name, m.id""", messageId);
    }

    /**
     * After a move on the server: the stored copy now lives in the target folder under its new UID (same id: one
     * message.updated naming the new folder).
     */
    public void relocate(long messageId, long folderId, long uidValidity, long uid) {
        changed(EventType.MESSAGE_UPDATED, """
                update message m set folder_id = f.id, uidvalidity = ?, uid = ? from folder f
                where m.id = ? and f.id = ?
                returning m.mailbox_id, f.name, m.id""", uidValidity, uid, messageId, folderId);
    }

    public void deleteById(long messageId) {
        changed(EventType.MESSAGE_DELETED, """
                delete from message m using folder f where m.id = ? and f.id = m.folder_id
                returning m.mailbox_id, f.name, m.id""", messageId);
    }

    /** Removes messages that are gone from the server. */
    public void delete(Folder folder, long uidValidity, Collection<Long> uids) {
        if (uids.isEmpty()) {
            return;
        }
        List<Long> ids = jdbc.list("delete from message where folder_id = ? and uidvalidity = ? and uid = any(?) "
                + "returning id", rs -> rs.getLong(1), folder.id, uidValidity, Jdbc.array("bigint", uids));
        events.messages(folder.mailboxId, EventType.MESSAGE_DELETED, folder.name, ids, true);
    }

    /** Removes every message of a folder stored under another UIDVALIDITY than the server's; answers how many. */
    public int deleteOtherUidValidity(Folder folder, long uidValidity) {
        List<Long> ids = jdbc.list("delete from message where folder_id = ? and uidvalidity <> ? returning id",
                rs -> rs.getLong(1), folder.id, uidValidity);
        events.messages(folder.mailboxId, EventType.MESSAGE_DELETED, folder.name, ids, true);
        return ids.size();
    }

    /** Removes every message of a folder (before the folder itself is deleted). */
    public void deleteAll(Folder folder) {
        List<Long> ids = jdbc.list("delete from message where folder_id = ? returning id", rs -> rs.getLong(1),
                folder.id);
        events.messages(folder.mailboxId, EventType.MESSAGE_DELETED, folder.name, ids, true);
    }

    /** Runs a write of single messages that answers (mailbox id, folder name, message id) per row it changed. */
    private void changed(EventType type, String sql, Object... params) {
        record Row(UUID mailboxId, String folder, long id) {
        }
        for (Row r : jdbc.list(sql, rs -> new Row(rs.getObject(1, UUID.class), rs.getString(2), rs.getLong(3)),
                params)) {
            events.messages(r.mailboxId(), type, r.folder(), List.of(r.id()), true);
        }
    }

    /** Recounts a folder's stored and unseen messages. */
    public void recount(long folderId) {
        jdbc.update("""
                update folder f set messages = coalesce(x.total, 0), unseen = coalesce(x.unseen, 0)
                from (select count(*) total, count(*) filter (where not seen) unseen
                      from message where folder_id = ?) x
                where f.id = ?""", folderId, folderId);
    }

    private static List<String> recipients(ParsedMessage p) {
        return java.util.stream.Stream.of(p.to(), p.cc(), p.bcc()).flatMap(List::stream)
                .map(a -> lower(a.address())).filter(java.util.Objects::nonNull).distinct().toList();
    }

    private static String lower(String address) {
        return address == null ? null : address.toLowerCase(java.util.Locale.ROOT);
    }

    private static String text(String value) {
        return PgText.clean(value);
    }

    private static Jdbc.SqlArray array(List<String> values) {
        return Jdbc.array("text", values.stream().map(PgText::clean).toList());
    }

    private static String json(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Strings in JSON, cleaned for PostgreSQL. */
    private static final class CleanString extends StdSerializer<String> {
        CleanString() {
            super(String.class);
        }

        @Override
        public void serialize(String value, JsonGenerator gen, SerializerProvider provider) throws IOException {
            gen.writeString(PgText.clean(value));
        }
    }
}
