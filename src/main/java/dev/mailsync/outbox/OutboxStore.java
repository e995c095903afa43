package dev.mailsync.outbox;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.mailsync.common.db.Jdbc;
import dev.mailsync.events.EventLog;
import dev.mailsync.events.EventType;
import dev.mailsync.message.AttachmentInfo;
import dev.mailsync.message.EmailAddress;
import io.quarkus.narayana.jta.QuarkusTransaction;

/**
 * The outbox table. Items are claimed like sync passes: {@code FOR UPDATE SKIP LOCKED} and a lease, so that with
 * several replicas each item is handled by one of them at a time. Every state change after a claim is made only
 * by the lease holder. Each call is one statement in its own (auto-commit) transaction, except the two final ones
 * ({@link #sent}, {@link #failed}), which record their event ({@code outbox.sent}, {@code outbox.failed}) with it.
 */
@ApplicationScoped
public class OutboxStore {

    private static final TypeReference<List<EmailAddress>> ADDRESSES = new TypeReference<>() {
    };
    private static final TypeReference<List<AttachmentInfo>> ATTACHMENTS = new TypeReference<>() {
    };
    private static final String VIEW_COLUMNS = """
            id, state, message_id, subject, to_addr, cc_addr, bcc_addr, size, attempts, next_attempt_at,
            last_error_code, last_error_message, created_at, sent_at, transport""";

    private final Jdbc jdbc;
    private final ObjectMapper json;
    private final EventLog events;

    public OutboxStore(Jdbc jdbc, ObjectMapper json, EventLog events) {
        this.jdbc = jdbc;
        this.json = json;
        this.events = events;
    }

    /** A new item. */
    record NewItem(UUID id, UUID mailboxId, String idempotencyKey, String requestHash, MailComposer.Composed mail,
            Long answersMessageId) {
    }

    /**
     * An item claimed for an attempt: {@code reconcile} when an earlier attempt may have reached the server;
     * {@code size} of its message in bytes.
     */
    record Claimed(UUID id, UUID mailboxId, boolean reconcile, int size) {
    }

    /** What an attempt needs. */
    record Pending(UUID mailboxId, String address, String messageId, byte[] mime, List<String> envelope,
            int attempts, Long answersMessageId) {
    }

    /** An earlier request with the same idempotency key. */
    record Existing(UUID id, String requestHash) {
    }

    /** Stores a queued item; {@code false} when the mailbox already has one with this idempotency key. */
    boolean insert(NewItem item) {
        MailComposer.Composed mail = item.mail();
        return jdbc.update("""
                insert into outbox (id, mailbox_id, idempotency_key, request_hash, message_id, subject, to_addr,
                    cc_addr, bcc_addr, envelope_to, mime, size, answers_message_id, state)
                values (?, ?, ?, ?, ?, ?, ?::jsonb, ?::jsonb, ?::jsonb, ?, ?, ?, ?, 'queued')
                on conflict (mailbox_id, idempotency_key) do nothing""",
                item.id(), item.mailboxId(), item.idempotencyKey(), item.requestHash(), mail.messageId(),
                mail.subject(), write(mail.to()), write(mail.cc()), write(mail.bcc()),
                mail.envelope().toArray(String[]::new), mail.mime(), mail.mime().length,
                item.answersMessageId()) == 1;
    }

    Optional<Existing> byIdempotencyKey(UUID mailboxId, String key) {
        return jdbc.optional("select id, request_hash from outbox where mailbox_id = ? and idempotency_key = ?",
                rs -> new Existing(rs.getObject(1, UUID.class), rs.getString(2)), mailboxId, key);
    }

    /**
     * Claims up to {@code limit} items: queued ones that are due, and ones left in {@code sending} by a holder
     * whose lease ran out (those must be reconciled).
     */
    List<Claimed> claim(String owner, int limit, Duration lease) {
        return jdbc.list("""
                with due as (
                    select o.id, (o.state = 'sending' or o.reconcile) as reconcile from outbox o
                    where (o.state = 'queued' and o.next_attempt_at <= now())
                       or (o.state = 'sending' and o.lease_until < now())
                    order by o.next_attempt_at limit ? for update of o skip locked)
                update outbox o set state = 'sending', reconcile = due.reconcile, lease_owner = ?,
                    lease_until = now() + make_interval(secs => ?), attempts = o.attempts + 1, updated_at = now()
                from due where o.id = due.id
                returning o.id, o.mailbox_id, due.reconcile, o.size""",
                rs -> new Claimed(rs.getObject(1, UUID.class), rs.getObject(2, UUID.class), rs.getBoolean(3),
                        rs.getInt(4)),
                limit, owner, lease.toMillis() / 1000.0);
    }

    Optional<Pending> pending(UUID id) {
        return jdbc.optional("""
                select o.mailbox_id, m.address, o.message_id, o.mime, o.envelope_to, o.attempts,
                       o.answers_message_id
                from outbox o join mailbox m on m.id = o.mailbox_id where o.id = ?""",
                rs -> new Pending(rs.getObject(1, UUID.class), rs.getString(2), rs.getString(3), rs.getBytes(4),
                        Jdbc.strings(rs, 5), rs.getInt(6), rs.getObject(7, Long.class)),
                id);
    }

    /**
     * Sent (or found in the Sent folder): the bytes are dropped, the Sent folder has the copy. {@code transport}
     * (null: keep the one recorded) is the one that sent it.
     */
    boolean sent(UUID id, String owner, String serverResponse, Transport transport) {
        return finished(id, EventType.OUTBOX_SENT, null, """
                update outbox set state = 'sent', sent_at = now(), server_response = ?, mime = null,
                    reconcile = false, lease_owner = null, lease_until = null, last_error_code = null,
                    last_error_message = null, transport = coalesce(?, transport), updated_at = now()
                where id = ? and lease_owner = ? and state = 'sending'
                returning mailbox_id, message_id""", truncate(serverResponse), wire(transport), id, owner);
    }

    /**
     * Back to the queue for another attempt after {@code delay}; {@code transport} tried (null: none reached);
     * {@code uncounted}: the attempt never reached the server (a Retry-After ran), so it is not counted.
     */
    void retryLater(UUID id, String owner, String code, String message, Duration delay, boolean reconcile,
            Transport transport, boolean uncounted) {
        jdbc.update("""
                update outbox set state = 'queued', next_attempt_at = now() + make_interval(secs => ?),
                    reconcile = reconcile or ?, lease_owner = null, lease_until = null, last_error_code = ?,
                    last_error_message = ?, transport = coalesce(?, transport), attempts = attempts - ?,
                    updated_at = now()
                where id = ? and lease_owner = ? and state = 'sending'""",
                delay.toMillis() / 1000.0, reconcile, code, truncate(message), wire(transport), uncounted ? 1 : 0, id,
                owner);
    }

    void failed(UUID id, String owner, String code, String message, boolean reconcile, Transport transport) {
        finished(id, EventType.OUTBOX_FAILED, code, """
                update outbox set state = 'failed', reconcile = reconcile or ?, lease_owner = null,
                    lease_until = null, last_error_code = ?, last_error_message = ?,
                    transport = coalesce(?, transport), updated_at = now()
                where id = ? and lease_owner = ? and state = 'sending'
                returning mailbox_id, message_id""",
                reconcile, code, truncate(message), wire(transport), id, owner);
    }

    private static String wire(Transport transport) {
        return transport == null ? null : transport.wire();
    }

    /**
     * Runs the update that ends item {@code id} ({@code RETURNING mailbox_id, message_id}) and records its event in the same transaction: the item's id, its Message-ID and, when it failed,
     * the error code (never the server's words, which may quote the message). Answers whether the item was ended.
     */
    private boolean finished(UUID id, EventType type, String errorCode, String sql, Object... params) {
        record Ended(UUID mailboxId, String messageId) {
        }
        return QuarkusTransaction.requiringNew().call(() -> {
            Optional<Ended> ended = jdbc.optional(sql, rs -> new Ended(rs.getObject(1, UUID.class), rs.getString(2)),
                    params);
            ended.ifPresent(e -> {
                Map<String, Object> data = new LinkedHashMap<>();
                data.put("outboxId", id.toString());
                data.put("internetMessageId", e.messageId());
                if (errorCode != null) {
                    data.put("error", errorCode);
                }
                events.mailbox(e.mailboxId(), type, data);
            });
            return ended.isPresent();
        });
    }

    /** Deletes sent and failed items last changed before {@code retention} ago; answers how many. */
    int purge(Duration retention) {
        return jdbc.update("""
                delete from outbox where state in ('sent', 'failed')
                  and updated_at < now() - make_interval(secs => ?)""", retention.toMillis() / 1000.0);
    }

    /** A failed item queued again by its user, with a fresh count of attempts; {@code false} if not failed. */
    boolean requeue(UUID mailboxId, UUID id) {
        return jdbc.update("""
                update outbox set state = 'queued', attempts = 0, next_attempt_at = now(), updated_at = now()
                where id = ? and mailbox_id = ? and state = 'failed'""", id, mailboxId) == 1;
    }

    /** Withdraws an item that no attempt has touched yet; {@code false} otherwise. */
    boolean cancel(UUID mailboxId, UUID id) {
        return jdbc.update("delete from outbox where id = ? and mailbox_id = ? and state = 'queued' and attempts = 0",
                id, mailboxId) == 1;
    }

    Optional<OutboxItem> get(UUID mailboxId, UUID id) {
        return jdbc.optional("select " + VIEW_COLUMNS + " from outbox where mailbox_id = ? and id = ?", this::view,
                mailboxId, id);
    }

    /** Newest first; {@code after} (null: from the newest) is where the previous page ended. */
    List<OutboxItem> list(UUID mailboxId, OutboxState state, OutboxCursor after, int limit) {
        List<Object> args = new ArrayList<>(List.of(mailboxId));
        StringBuilder sql = new StringBuilder("select " + VIEW_COLUMNS + " from outbox where mailbox_id = ?");
        if (state != null) {
            sql.append(" and state = ?");
            args.add(state.wire());
        }
        if (after != null) {
            sql.append(" and (created_at, id) < (?, ?)");
            args.add(Timestamp.from(after.at()));
            args.add(after.id());
        }
        sql.append(" order by created_at desc, id desc limit ?");
        args.add(limit);
        List<OutboxItem> items = new ArrayList<>();
        jdbc.query(sql.toString(), args, rs -> items.add(view(rs)));
        return items;
    }

    /** Items per state (for the metrics). */
    Map<OutboxState, Long> countByState() {
        Map<OutboxState, Long> counts = new EnumMap<>(OutboxState.class);
        jdbc.query("select state, count(*) from outbox group by state", List.of(),
                rs -> counts.put(OutboxState.fromWire(rs.getString(1)), rs.getLong(2)));
        return counts;
    }

    /** Seconds since the oldest queued or sending item was accepted (0 when there is none). */
    double oldestWaitingSeconds() {
        return jdbc.one("""
                select coalesce(extract(epoch from now() - min(created_at)), 0) from outbox
                where state in ('queued', 'sending')""", rs -> rs.getDouble(1));
    }

    /** The stored message a reply or forward refers to. */
    Optional<Original> original(UUID mailboxId, long messageId) {
        return jdbc.optional("""
                select id, message_id, in_reply_to, reference_ids, subject, from_addr, to_addr, cc_addr, reply_to,
                       attachments
                from message where mailbox_id = ? and id = ?""",
                rs -> new Original(rs.getLong(1), rs.getString(2), rs.getString(3), Jdbc.strings(rs, 4),
                        rs.getString(5), read(rs, 6, ADDRESSES), read(rs, 7, ADDRESSES), read(rs, 8, ADDRESSES),
                        read(rs, 9, ADDRESSES), read(rs, 10, ATTACHMENTS)),
                mailboxId, messageId);
    }

    private OutboxItem view(ResultSet rs) throws SQLException {
        OutboxState state = OutboxState.fromWire(rs.getString(2));
        String errorCode = rs.getString(11);
        boolean waiting = state.waiting();
        // the message id without its angle brackets, as the messages API shows it
        String messageId = rs.getString(3).replaceAll("^<|>$", "");
        return new OutboxItem(rs.getObject(1, UUID.class).toString(), state, messageId, rs.getString(4),
                read(rs, 5, ADDRESSES), read(rs, 6, ADDRESSES), read(rs, 7, ADDRESSES), rs.getInt(8), rs.getInt(9),
                waiting ? Jdbc.instant(rs, 10) : null,
                errorCode == null ? null : new OutboxItem.Error(errorCode, rs.getString(12)), Jdbc.instant(rs, 13),
                Jdbc.instant(rs, 14), Transport.fromWire(rs.getString(15)));
    }

    private <T> T read(ResultSet rs, int column, TypeReference<T> type) throws SQLException {
        try {
            return json.readValue(rs.getString(column), type);
        } catch (JsonProcessingException e) {
            throw new SQLException("bad JSON in column " + column, e);
        }
    }

    private String write(Object value) {
        try {
            return json.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String truncate(String message) {
        return message == null || message.length() <= 1000 ? message : message.substring(0, 1000);
    }
}
