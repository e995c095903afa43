package dev.mailsync.message;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.mailsync.common.db.Jdbc;
import dev.mailsync.common.db.QueryLimiter;
import dev.mailsync.message.MessageViews.Attachment;
import dev.mailsync.message.MessageViews.Flags;
import dev.mailsync.message.MessageViews.MessageDetail;
import dev.mailsync.message.MessageViews.MessageSummary;
import dev.mailsync.message.MessageViews.Page;
import dev.mailsync.message.MessageViews.ThreadDetail;
import dev.mailsync.message.MessageViews.ThreadSummary;

/**
 * Reads of stored mail for the API: keyset pages (newest first, stable while new mail arrives), filters,
 * full-text search (PostgreSQL, {@code simple} configuration, GIN index), one message, threads.
 */
@ApplicationScoped
public class MessageQueries {

    private static final String SUMMARY_COLUMNS = """
            m.id, f.name, m.subject, m.from_addr, m.to_addr, m.internal_date, m.snippet, m.seen, m.flagged,
            m.answered, m.draft, m.has_attachments, m.thread_id, m.size, m.uid""";
    /** A {@link MessageSummary} as JSON, built by PostgreSQL (dates in UTC, to the second, as IMAP has them). */
    private static final String SUMMARY_JSON = """
            json_build_object('id', m.id::text, 'folder', m.folder, 'subject', m.subject, 'from', m.from_addr -> 0,
                'to', m.to_addr, 'date', to_char(m.internal_date at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
                'snippet', m.snippet, 'flags', json_build_object('seen', m.seen, 'flagged', m.flagged,
                    'answered', m.answered, 'draft', m.draft),
                'hasAttachments', m.has_attachments, 'threadId', m.thread_id, 'size', m.size)::text""";
    private static final byte[] ITEMS = "{\"items\":[".getBytes(StandardCharsets.US_ASCII);
    private static final TypeReference<List<EmailAddress>> ADDRESSES = new TypeReference<>() {
    };
    private static final TypeReference<List<AttachmentInfo>> ATTACHMENTS = new TypeReference<>() {
    };

    private final Jdbc jdbc;
    private final QueryLimiter limiter;
    private final ObjectMapper json;
    private final SignedLinks links;
    private final HtmlBodies bodies;

    public MessageQueries(Jdbc jdbc, QueryLimiter limiter, ObjectMapper json, SignedLinks links, HtmlBodies bodies) {
        this.jdbc = jdbc;
        this.limiter = limiter;
        this.json = json;
        this.links = links;
        this.bodies = bodies;
    }

    /** Every read of the messages API waits for its turn ({@link QueryLimiter}). */
    private void query(String sql, List<?> args, Jdbc.Row row) {
        limiter.run(() -> jdbc.query(sql, args, limiter.statementTimeout(), row));
    }

    /**
     * A page of the user's mailbox as the API's JSON ({@link MessagePage}): PostgreSQL builds each item's JSON,
     * so the hottest path of the API maps no row to objects and back. The ownership check is part of the query
     * (one round trip), so an empty page may also mean "not this user's mailbox": the caller tells the two apart.
     *
     * @return the JSON, and whether the page is empty
     */
    public JsonPage list(UUID mailboxId, String userId, MessageFilter filter, MessageCursor cursor, int limit,
            String state) {
        // the JSON is built outside the sorted and limited selection: a search sorts all its matches, and
        // PostgreSQL would otherwise build every match's JSON before sorting
        StringBuilder sql = new StringBuilder("select m.internal_date, m.uid, m.id, " + SUMMARY_JSON + " from ("
                + "select m.id, m.uid, m.internal_date, f.name as folder, m.subject, m.from_addr, m.to_addr,"
                + " m.snippet, m.seen, m.flagged, m.answered, m.draft, m.has_attachments, m.thread_id, m.size"
                + " from message m join folder f on f.id = m.folder_id"
                + " join mailbox mb on mb.id = m.mailbox_id and mb.user_id = ? where m.mailbox_id = ?"
                // a folder missing from the server's last LIST is kept a while (it may come back), not shown:
                // after a rename its messages are listed once, in the new folder
                + " and f.gone_since is null");
        List<Object> args = new ArrayList<>(List.of(userId, mailboxId));
        where(filter, sql, args);
        if (cursor != null) {
            sql.append(" and (m.internal_date, m.uid, m.id) < (?, ?, ?)");
            args.add(Timestamp.from(cursor.at()));
            args.add(cursor.uid());
            args.add(cursor.id());
        }
        sql.append(" order by m.internal_date desc, m.uid desc, m.id desc limit ?) m");
        sql.append(" order by m.internal_date desc, m.uid desc, m.id desc");
        args.add(limit + 1);
        // the rows' JSON goes out as PostgreSQL sent it (UTF-8 bytes): no decoding into strings and back
        ByteArrayOutputStream page = new ByteArrayOutputStream(limit * 1024);
        page.writeBytes(ITEMS);
        int[] rows = { 0 };
        String[] next = { null };
        query(sql.toString(), args, rs -> {
            int row = ++rows[0];
            if (row > limit) {
                return;
            }
            if (row > 1) {
                page.write(',');
            }
            page.writeBytes(rs.getBytes(4));
            if (row == limit) {
                next[0] = new MessageCursor(rs.getTimestamp(1).toInstant(), rs.getLong(2), rs.getLong(3)).encode();
            }
        });
        String end = "],\"nextCursor\":" + (rows[0] > limit ? "\"" + next[0] + "\"" : "null") + ",\"state\":\""
                + state + "\"}"; // a Position: digits and a dash
        page.writeBytes(end.getBytes(StandardCharsets.US_ASCII));
        return new JsonPage(page.toByteArray(), rows[0] == 0);
    }

    /** A page rendered as JSON (UTF-8). */
    public record JsonPage(byte[] json, boolean empty) {
    }

    private static void where(MessageFilter filter, StringBuilder sql, List<Object> args) {
        if (filter.folder() != null) {
            sql.append(" and f.name = ?");
            args.add(filter.folder());
        }
        if (filter.unread() != null) {
            sql.append(filter.unread() ? " and not m.seen" : " and m.seen");
        }
        if (filter.flagged() != null) {
            sql.append(filter.flagged() ? " and m.flagged" : " and not m.flagged");
        }
        if (filter.hasAttachments() != null) {
            sql.append(filter.hasAttachments() ? " and m.has_attachments" : " and not m.has_attachments");
        }
        if (filter.from() != null) {
            sql.append(" and m.from_address = ?");
            args.add(filter.from().toLowerCase(Locale.ROOT));
        }
        if (filter.to() != null) {
            sql.append(" and m.to_addresses @> array[?]::text[]");
            args.add(filter.to().toLowerCase(Locale.ROOT));
        }
        if (filter.since() != null) {
            sql.append(" and m.internal_date >= ?");
            args.add(Timestamp.from(filter.since()));
        }
        if (filter.before() != null) {
            sql.append(" and m.internal_date < ?");
            args.add(Timestamp.from(filter.before()));
        }
        if (filter.query() != null) {
            String q = filter.query().strip();
            if (q.contains("@") && !q.contains(" ")) {
                // an address: the full-text match, or exactly that sender or recipient
                sql.append(" and (m.search @@ websearch_to_tsquery('simple', ?) or m.from_address = ?"
                        + " or m.to_addresses @> array[?]::text[])");
                args.add(q);
                args.add(q.toLowerCase(Locale.ROOT));
                args.add(q.toLowerCase(Locale.ROOT));
            } else {
                sql.append(" and m.search @@ websearch_to_tsquery('simple', ?)");
                args.add(q);
            }
        }
    }

    /**
     * One message. The HTML body is read after the rest, within the HTML budget ({@link HtmlBodies}), unless its
     * sanitised form is cached; attachment URLs (and the {@code cid:} images pointing at them) are signed.
     *
     * @param remoteImages whether remote images keep their URLs in the HTML
     */
    public Optional<MessageDetail> get(UUID mailboxId, long messageId, boolean remoteImages) {
        List<MessageDetail> found = new ArrayList<>();
        long[] htmlLength = { -1 };
        long expires = links.expiry();
        Map<String, String> cidUrls = new HashMap<>();
        query("""
                select m.id, f.name, m.thread_id, m.message_id, m.in_reply_to, m.reference_ids, m.list_unsubscribe,
                       m.subject, m.from_addr, m.to_addr, m.cc_addr, m.bcc_addr, m.reply_to, m.sent_at,
                       m.internal_date, m.seen, m.flagged, m.answered, m.draft, m.size, octet_length(m.html_body),
                       m.attachments, m.malformed, m.text_body, m.truncated
                from message m join folder f on f.id = m.folder_id where m.mailbox_id = ? and m.id = ?""",
                List.of(mailboxId, messageId), rs -> {
                    String id = String.valueOf(rs.getLong(1));
                    List<AttachmentInfo> parts = read(rs.getString(22), ATTACHMENTS);
                    List<Attachment> attachments = new ArrayList<>();
                    for (AttachmentInfo a : parts) {
                        String url = links.attachmentUrl(mailboxId, messageId, a.id(), expires);
                        attachments.add(new Attachment(String.valueOf(a.id()), a.filename(), a.contentType(), a.size(),
                                a.contentId(), a.inline(), url));
                        if (a.contentId() != null) {
                            cidUrls.put(a.contentId(), url);
                        }
                    }
                    long length = rs.getLong(21);
                    htmlLength[0] = rs.wasNull() ? -1 : length;
                    String[] references = (String[]) rs.getArray(6).getArray();
                    found.add(new MessageDetail(id, rs.getString(2), rs.getString(3), rs.getString(4),
                            rs.getString(5), List.of(references), rs.getString(7), rs.getString(8),
                            read(rs.getString(9), ADDRESSES), read(rs.getString(10), ADDRESSES),
                            read(rs.getString(11), ADDRESSES), read(rs.getString(12), ADDRESSES),
                            read(rs.getString(13), ADDRESSES), Jdbc.instant(rs, 14), Jdbc.instant(rs, 15),
                            new Flags(rs.getBoolean(16), rs.getBoolean(17), rs.getBoolean(18), rs.getBoolean(19)),
                            rs.getInt(20), rs.getString(24), null, attachments, rs.getBoolean(23),
                            rs.getBoolean(25)));
                });
        if (found.isEmpty()) {
            return Optional.empty();
        }
        MessageDetail d = found.get(0);
        String html = htmlLength[0] < 0 ? null
                : bodies.render(new HtmlBodies.Key(messageId, remoteImages, expires), htmlLength[0],
                        () -> htmlBody(messageId), cidUrls);
        return Optional.of(new MessageDetail(d.id(), d.folder(), d.threadId(), d.messageId(), d.inReplyTo(),
                d.references(), d.listUnsubscribe(), d.subject(), d.from(), d.to(), d.cc(), d.bcc(), d.replyTo(),
                d.date(), d.receivedAt(), d.flags(), d.size(), d.text(), html, d.attachments(), d.malformed(),
                d.truncated()));
    }

    private String htmlBody(long messageId) {
        String[] body = { null };
        query("select html_body from message where id = ?", List.of(messageId), rs -> body[0] = rs.getString(1));
        return body[0];
    }

    /** Where a stored message lives on the server. */
    public record Location(long id, long folderId, String folder, long uidValidity, long uid,
            List<AttachmentInfo> attachments) {
    }

    public Optional<Location> location(UUID mailboxId, long messageId) {
        List<Location> found = new ArrayList<>();
        query("""
                select m.id, m.folder_id, f.name, m.uidvalidity, m.uid, m.attachments
                from message m join folder f on f.id = m.folder_id where m.mailbox_id = ? and m.id = ?""",
                List.of(mailboxId, messageId), rs -> found.add(new Location(rs.getLong(1), rs.getLong(2),
                        rs.getString(3), rs.getLong(4), rs.getLong(5), read(rs.getString(6), ATTACHMENTS))));
        return found.stream().findFirst();
    }

    /** Where each of these stored messages lives on the server (those of the mailbox; others are left out). */
    public Map<Long, Location> locations(UUID mailboxId, java.util.Collection<Long> messageIds) {
        Map<Long, Location> found = new HashMap<>();
        query("""
                select m.id, m.folder_id, f.name, m.uidvalidity, m.uid, m.attachments
                from message m join folder f on f.id = m.folder_id where m.mailbox_id = ? and m.id = any(?)""",
                List.of(mailboxId, messageIds.toArray(Long[]::new)), rs -> found.put(rs.getLong(1),
                        new Location(rs.getLong(1), rs.getLong(2), rs.getString(3), rs.getLong(4), rs.getLong(5),
                                read(rs.getString(6), ATTACHMENTS))));
        return found;
    }

    public Page<ThreadSummary> threads(UUID mailboxId, String folder, Cursor cursor, int limit) {
        StringBuilder sql = new StringBuilder("""
                with t as (
                    select m.thread_id, max(m.internal_date) as last_at, count(*) as n
                    from message m join folder f on f.id = m.folder_id
                    where m.mailbox_id = ? and f.gone_since is null""");
        List<Object> args = new ArrayList<>(List.of(mailboxId));
        if (folder != null) {
            sql.append(" and f.name = ?");
            args.add(folder);
        }
        sql.append(" group by m.thread_id) select t.thread_id, t.last_at, t.n, l.subject, l.snippet, ("
                + "select array_agg(distinct p.from_address) from message p where p.mailbox_id = ? and p.thread_id = "
                + "t.thread_id and p.from_address is not null) from t cross join lateral (select subject, snippet "
                + "from message x where x.mailbox_id = ? and x.thread_id = t.thread_id "
                + "order by x.internal_date desc, x.uid desc, x.id desc limit 1) l");
        args.add(mailboxId);
        args.add(mailboxId);
        if (cursor != null) {
            sql.append(" where (t.last_at, t.thread_id) < (?, ?)");
            args.add(Timestamp.from(cursor.at()));
            args.add(cursor.key());
        }
        sql.append(" order by t.last_at desc, t.thread_id desc limit ?");
        args.add(limit + 1);
        List<ThreadSummary> items = new ArrayList<>();
        query(sql.toString(), args, rs -> {
            java.sql.Array participants = rs.getArray(6);
            items.add(new ThreadSummary(rs.getString(1), rs.getString(4), Jdbc.instant(rs, 2), rs.getInt(3),
                    participants == null ? List.of() : List.of((String[]) participants.getArray()), rs.getString(5)));
        });
        String next = null;
        if (items.size() > limit) {
            items.remove(limit);
            ThreadSummary last = items.get(limit - 1);
            next = new Cursor(last.lastActivityAt(), last.threadId()).encode();
        }
        return new Page<>(items, next);
    }

    /** A thread's messages, oldest first, across folders (Sent included); empty when there is no such thread. */
    public Optional<ThreadDetail> thread(UUID mailboxId, String threadId) {
        List<MessageSummary> messages = new ArrayList<>();
        query("select " + SUMMARY_COLUMNS + " from message m join folder f on f.id = m.folder_id"
                + " where m.mailbox_id = ? and m.thread_id = ? and f.gone_since is null"
                + " order by m.internal_date, m.uid, m.id",
                List.of(mailboxId, threadId), rs -> messages.add(summary(rs)));
        return messages.isEmpty() ? Optional.empty() : Optional.of(new ThreadDetail(threadId, messages));
    }

    private MessageSummary summary(ResultSet rs) throws SQLException {
        List<EmailAddress> from = read(rs.getString(4), ADDRESSES);
        return new MessageSummary(String.valueOf(rs.getLong(1)), rs.getString(2), rs.getString(3),
                from.isEmpty() ? null : from.get(0), read(rs.getString(5), ADDRESSES), Jdbc.instant(rs, 6),
                rs.getString(7), new Flags(rs.getBoolean(8), rs.getBoolean(9), rs.getBoolean(10), rs.getBoolean(11)),
                rs.getBoolean(12), rs.getString(13), rs.getInt(14));
    }

    private <T> T read(String value, TypeReference<T> type) {
        try {
            return json.readValue(value, type);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("stored JSON unreadable", e);
        }
    }
}
