package dev.mailsync.message;

import java.io.IOException;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import javax.sql.DataSource;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;

import dev.mailsync.common.db.PgText;

/**
 * Bulk writes of the sync (JDBC batches, in the caller's transaction). Inserts are idempotent: a message is
 * identified by folder, UIDVALIDITY and UID, so a pass repeated after a crash never stores it twice.
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
            on conflict (folder_id, uidvalidity, uid) do nothing""";

    /**
     * The jsonb columns' writer: every string inside is cleaned too (jsonb refuses {@code \u0000}). A mapper of its
     * own: the application's has generated serializers for the API's records that write strings directly.
     */
    private static final ObjectMapper JSON = JsonMapper.builder()
            .addModule(new SimpleModule().addSerializer(String.class, new CleanString())).build();

    private final DataSource dataSource;

    public MessageStore(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** UID → flags of the stored messages of a folder (at one UIDVALIDITY). */
    public Map<Long, MessageFlags> storedFlags(long folderId, long uidValidity) throws SQLException {
        Map<Long, MessageFlags> flags = new HashMap<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement("""
                select uid, seen, flagged, answered, draft, deleted, keywords from message
                where folder_id = ? and uidvalidity = ?""")) {
            s.setLong(1, folderId);
            s.setLong(2, uidValidity);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    String[] keywords = (String[]) rs.getArray(7).getArray();
                    flags.put(rs.getLong(1), new MessageFlags(rs.getBoolean(2), rs.getBoolean(3), rs.getBoolean(4),
                            rs.getBoolean(5), rs.getBoolean(6), List.of(keywords)));
                }
            }
        }
        return flags;
    }

    /**
     * Stores new messages (one batch: it fails as a whole); those already stored are left alone. Every string goes
     * through {@link PgText#clean} on its way in ({@link #text}, {@link #array}, {@link #json}), here and nowhere
     * else.
     */
    public void insert(List<NewMessage> messages) throws SQLException {
        if (messages.isEmpty()) {
            return;
        }
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(INSERT)) {
            for (NewMessage m : messages) {
                ParsedMessage p = m.parsed();
                int i = 1;
                s.setObject(i++, m.mailboxId());
                s.setLong(i++, m.folderId());
                s.setLong(i++, m.uidValidity());
                s.setLong(i++, m.uid());
                s.setString(i++, text(p.messageId()));
                s.setString(i++, text(p.inReplyTo()));
                s.setArray(i++, array(c, p.references()));
                s.setString(i++, Threads.threadId(p.messageId(), p.inReplyTo(), p.references(), p.subject()));
                s.setString(i++, text(p.subject()));
                s.setString(i++, json(p.from()));
                s.setString(i++, json(p.to()));
                s.setString(i++, json(p.cc()));
                s.setString(i++, json(p.bcc()));
                s.setString(i++, json(p.replyTo()));
                setTimestamp(s, i++, p.sentAt());
                setTimestamp(s, i++, m.internalDate());
                i = flags(c, s, i, m.flags());
                s.setInt(i++, m.size());
                s.setString(i++, text(p.snippet()));
                s.setString(i++, text(p.textBody()));
                s.setString(i++, text(p.htmlBody()));
                s.setString(i++, json(p.attachments()));
                s.setBoolean(i++, !p.attachments().isEmpty());
                s.setBoolean(i++, p.malformed());
                s.setString(i++, p.malformed() ? text(String.join("; ", p.problems())) : null);
                s.setString(i++, p.from().isEmpty() ? null : text(lower(p.from().get(0).address())));
                s.setArray(i++, array(c, recipients(p)));
                s.setString(i++, text(p.listUnsubscribe()));
                s.setString(i++, text(p.htmlText()));
                s.setBoolean(i, p.truncated());
                s.addBatch();
            }
            s.executeBatch();
        }
    }

    /**
     * Stores what the database cannot refuse of a message it refused: folder, UID, size, flags and date, marked
     * malformed with {@code why}. The message is listed (and its raw form downloadable); the pass goes on.
     */
    public void insertMinimal(NewMessage m, String why) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(INSERT_MINIMAL)) {
            int i = 1;
            s.setObject(i++, m.mailboxId());
            s.setLong(i++, m.folderId());
            s.setLong(i++, m.uidValidity());
            s.setLong(i++, m.uid());
            s.setString(i++, Threads.single(m.folderId() + "/" + m.uidValidity() + "/" + m.uid()));
            setTimestamp(s, i++, m.internalDate());
            i = flags(c, s, i, m.flags());
            s.setInt(i++, m.size());
            s.setString(i, text(why));
            s.executeUpdate();
        }
    }

    private static int flags(Connection c, PreparedStatement s, int index, MessageFlags f) throws SQLException {
        int i = index;
        s.setBoolean(i++, f.seen());
        s.setBoolean(i++, f.flagged());
        s.setBoolean(i++, f.answered());
        s.setBoolean(i++, f.draft());
        s.setBoolean(i++, f.deleted());
        s.setArray(i++, array(c, f.keywords()));
        return i;
    }

    /** Writes changed flags (UID → new flags). */
    public void updateFlags(long folderId, long uidValidity, Map<Long, MessageFlags> changes) throws SQLException {
        if (changes.isEmpty()) {
            return;
        }
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement("""
                update message set seen = ?, flagged = ?, answered = ?, draft = ?, deleted = ?, keywords = ?
                where folder_id = ? and uidvalidity = ? and uid = ?""")) {
            for (Map.Entry<Long, MessageFlags> e : changes.entrySet()) {
                MessageFlags f = e.getValue();
                s.setBoolean(1, f.seen());
                s.setBoolean(2, f.flagged());
                s.setBoolean(3, f.answered());
                s.setBoolean(4, f.draft());
                s.setBoolean(5, f.deleted());
                s.setArray(6, array(c, f.keywords()));
                s.setLong(7, folderId);
                s.setLong(8, uidValidity);
                s.setLong(9, e.getKey());
                s.addBatch();
            }
            s.executeBatch();
        }
    }

    /**
     * Computes the full-text search vectors of messages stored without one (the sync stores first and indexes
     * right after the pass, so that indexing does not slow the initial sync): subject (weight A), names and
     * addresses (B) and the first 20,000 characters of the body (or of the HTML body's text, extracted at ingest:
     * a regular expression over hostile HTML here would take minutes). Each input is cut so that no row can pass
     * a tsvector's 1 MB limit and fail the batch. Answers how many were indexed.
     */
    public int indexForSearch(java.util.UUID mailboxId, int limit) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement("""
                update message set search =
                    setweight(to_tsvector('simple', left(coalesce(subject, ''), 2000)), 'A')
                    || setweight(to_tsvector('simple', left(from_addr::text || ' ' || to_addr::text || ' '
                        || cc_addr::text || ' ' || bcc_addr::text, 100000)), 'B')
                    || to_tsvector('simple', left(coalesce(text_body, html_text, snippet, ''), 20000))
                where id in (select id from message where mailbox_id = ? and search is null limit ?
                             for update skip locked)""")) {
            s.setObject(1, mailboxId);
            s.setInt(2, limit);
            return s.executeUpdate();
        }
    }

    /** After a write on the server: the stored copy takes the same flags. */
    public void setFlags(long messageId, Boolean seen, Boolean flagged) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement("""
                update message set seen = coalesce(?, seen), flagged = coalesce(?, flagged) where id = ?""")) {
            s.setObject(1, seen);
            s.setObject(2, flagged);
            s.setLong(3, messageId);
            s.executeUpdate();
        }
    }

    public void setAnswered(long messageId) throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement s = c.prepareStatement("update message set answered = true where id = ?")) {
            s.setLong(1, messageId);
            s.executeUpdate();
        }
    }

    /** After a move on the server: the stored copy now lives in the target folder under its new UID. */
    public void relocate(long messageId, long folderId, long uidValidity, long uid) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement("""
                update message set folder_id = ?, uidvalidity = ?, uid = ? where id = ?""")) {
            s.setLong(1, folderId);
            s.setLong(2, uidValidity);
            s.setLong(3, uid);
            s.setLong(4, messageId);
            s.executeUpdate();
        }
    }

    public void deleteById(long messageId) throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement s = c.prepareStatement("delete from message where id = ?")) {
            s.setLong(1, messageId);
            s.executeUpdate();
        }
    }

    /** Removes messages that are gone from the server. */
    public void delete(long folderId, long uidValidity, Collection<Long> uids) throws SQLException {
        if (uids.isEmpty()) {
            return;
        }
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(
                "delete from message where folder_id = ? and uidvalidity = ? and uid = any(?)")) {
            Array array = c.createArrayOf("bigint", uids.toArray());
            s.setLong(1, folderId);
            s.setLong(2, uidValidity);
            s.setArray(3, array);
            s.executeUpdate();
        }
    }

    /** Removes every message of a folder stored under another UIDVALIDITY than the server's. */
    public int deleteOtherUidValidity(long folderId, long uidValidity) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(
                "delete from message where folder_id = ? and uidvalidity <> ?")) {
            s.setLong(1, folderId);
            s.setLong(2, uidValidity);
            return s.executeUpdate();
        }
    }

    /** Recounts a folder's stored and unseen messages. */
    public void recount(long folderId) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement("""
                update folder f set messages = coalesce(x.total, 0), unseen = coalesce(x.unseen, 0)
                from (select count(*) total, count(*) filter (where not seen) unseen
                      from message where folder_id = ?) x
                where f.id = ?""")) {
            s.setLong(1, folderId);
            s.setLong(2, folderId);
            s.executeUpdate();
        }
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

    private static Array array(Connection c, List<String> values) throws SQLException {
        return c.createArrayOf("text", values.stream().map(PgText::clean).toArray());
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

    private static void setTimestamp(PreparedStatement s, int index, java.time.Instant instant) throws SQLException {
        if (instant == null) {
            s.setNull(index, Types.TIMESTAMP_WITH_TIMEZONE);
        } else {
            s.setTimestamp(index, Timestamp.from(instant));
        }
    }
}
