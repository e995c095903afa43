package dev.mailsync.webhook;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.mailsync.common.db.Jdbc;
import dev.mailsync.message.Cursor;

/**
 * The {@code webhook_delivery} queue. Deliveries are claimed like outbox items: {@code FOR UPDATE SKIP LOCKED} and
 * a lease, so each is attempted by one replica at a time; one left in {@code delivering} past its lease (its
 * replica died) is claimed again. Every change after a claim is made only by the lease holder.
 */
@ApplicationScoped
public class DeliveryStore {

    private static final TypeReference<List<Map<String, Object>>> LOG = new TypeReference<>() {
    };
    private static final int EXCERPT = 200;

    private final Jdbc jdbc;
    private final ObjectMapper json;

    public DeliveryStore(Jdbc jdbc, ObjectMapper json) {
        this.jdbc = jdbc;
        this.json = json;
    }

    /** A delivery to create: one event's body for one webhook. */
    record NewDelivery(UUID id, UUID webhookId, String eventType, String body) {
    }

    /** A delivery claimed for an attempt ({@code attempts} counts this one), with its webhook's URL and secret. */
    record Claimed(UUID id, UUID webhookId, int attempts, String body, String url, String sealedSecret) {
    }

    /** What one attempt came to. */
    record Outcome(Integer status, String error, long millis, String response) {
    }

    /** Inserts deliveries, due after {@code firstDelay} (in the caller's transaction). */
    void insert(List<NewDelivery> deliveries, Duration firstDelay) {
        jdbc.batch("""
                insert into webhook_delivery (id, webhook_id, event_type, body, state, next_attempt_at)
                values (?, ?, ?, ?, 'pending', now() + make_interval(secs => ?))""", deliveries, (s, d) -> {
            s.setObject(1, d.id());
            s.setObject(2, d.webhookId());
            s.setString(3, d.eventType());
            s.setString(4, d.body());
            s.setDouble(5, firstDelay.toMillis() / 1000.0);
        });
    }

    /** Claims up to {@code limit} due deliveries of active webhooks, and ones whose holder's lease ran out. */
    List<Claimed> claim(String owner, int limit, Duration lease) {
        return jdbc.list("""
                with due as (
                    select d.id from webhook_delivery d join webhook w on w.id = d.webhook_id
                    where w.state = 'active'
                      and ((d.state = 'pending' and d.next_attempt_at <= now())
                        or (d.state = 'delivering' and d.lease_until < now()))
                    order by d.next_attempt_at limit ? for update of d skip locked)
                update webhook_delivery d set state = 'delivering', lease_owner = ?,
                    lease_until = now() + make_interval(secs => ?), attempts = d.attempts + 1, updated_at = now()
                from due, webhook w
                where d.id = due.id and w.id = d.webhook_id
                returning d.id, d.webhook_id, d.attempts, d.body, w.url, w.secret""",
                rs -> new Claimed(rs.getObject(1, UUID.class), rs.getObject(2, UUID.class), rs.getInt(3),
                        rs.getString(4), rs.getString(5), rs.getString(6)),
                limit, owner, lease.toMillis() / 1000.0);
    }

    /** The receiver answered 2xx. */
    boolean delivered(UUID id, String owner, Outcome outcome) {
        return finish(id, owner, outcome, "state = 'delivered', delivered_at = now()", null);
    }

    /** Back to the queue for another attempt after {@code delay}. */
    boolean retryLater(UUID id, String owner, Outcome outcome, Duration delay) {
        return finish(id, owner, outcome, "state = 'pending', next_attempt_at = now() + make_interval(secs => ?)",
                delay.toMillis() / 1000.0);
    }

    /** Given up. */
    boolean failed(UUID id, String owner, Outcome outcome) {
        return finish(id, owner, outcome, "state = 'failed'", null);
    }

    private boolean finish(UUID id, String owner, Outcome outcome, String set, Double delaySeconds) {
        String sql = "update webhook_delivery set " + set + """
                , lease_owner = null, lease_until = null, last_status = ?::int, last_error = ?, response = ?,
                  updated_at = now(),
                  attempt_log = attempt_log || jsonb_build_array(jsonb_build_object(
                      'at', (extract(epoch from now()) * 1000)::bigint, 'status', ?::int, 'error', ?::text,
                      'millis', ?::bigint))
                where id = ? and lease_owner = ? and state = 'delivering'""";
        List<Object> args = new ArrayList<>();
        if (delaySeconds != null) {
            args.add(delaySeconds);
        }
        String error = excerpt(outcome.error());
        args.addAll(Arrays.asList(outcome.status(), error, excerpt(outcome.response()), outcome.status(), error,
                outcome.millis(), id, owner));
        return jdbc.update(sql, args.toArray()) == 1;
    }

    /** Newest first; {@code after} (null: from the newest) is where the previous page ended. */
    List<DeliveryView> list(UUID webhookId, Cursor after, int limit) {
        List<Object> args = new ArrayList<>(List.of(webhookId));
        String sql = """
                select id, event_type, state, attempts, next_attempt_at, last_status, last_error, response,
                       attempt_log::text, created_at, delivered_at
                from webhook_delivery where webhook_id = ?""";
        if (after != null) {
            sql += " and (created_at, id) < (?, ?)";
            args.add(Timestamp.from(after.at()));
            args.add(UUID.fromString(after.key()));
        }
        sql += " order by created_at desc, id desc limit ?";
        args.add(limit);
        List<DeliveryView> views = new ArrayList<>();
        jdbc.query(sql, args, rs -> views.add(view(rs)));
        return views;
    }

    /** Deletes delivered and failed deliveries last changed before {@code retention} ago; answers how many. */
    int purge(Duration retention) {
        return jdbc.update("""
                delete from webhook_delivery where state in ('delivered', 'failed')
                  and updated_at < now() - make_interval(secs => ?)""", retention.toMillis() / 1000.0);
    }

    /** Deliveries waiting for an attempt or being attempted (the queue depth). */
    long waiting() {
        return jdbc.one("select count(*) from webhook_delivery where state in ('pending', 'delivering')",
                rs -> rs.getLong(1));
    }

    private DeliveryView view(ResultSet rs) throws SQLException {
        String state = rs.getString(3);
        List<DeliveryView.Attempt> attempts = new ArrayList<>();
        try {
            for (Map<String, Object> a : json.readValue(rs.getString(9), LOG)) {
                attempts.add(new DeliveryView.Attempt(Instant.ofEpochMilli(((Number) a.get("at")).longValue()),
                        a.get("status") == null ? null : ((Number) a.get("status")).intValue(),
                        (String) a.get("error"), ((Number) a.get("millis")).longValue()));
            }
        } catch (JsonProcessingException e) {
            throw new SQLException("bad attempt log", e);
        }
        return new DeliveryView(rs.getObject(1, UUID.class).toString(), rs.getString(2), state, rs.getInt(4),
                "pending".equals(state) ? Jdbc.instant(rs, 5) : null, rs.getObject(6, Integer.class),
                rs.getString(7), rs.getString(8), attempts, Jdbc.instant(rs, 10), Jdbc.instant(rs, 11));
    }

    /** Up to 200 characters, printable only: what a response body or error may leave in the listing. */
    static String excerpt(String text) {
        if (text == null) {
            return null;
        }
        String clean = text.replaceAll("[\\p{Cntrl}&&[^\\n\\t]]|[\\x{202A}-\\x{202E}\\x{2066}-\\x{2069}]", "")
                .replaceAll("\\s+", " ").strip();
        return clean.length() <= EXCERPT ? clean : clean.substring(0, EXCERPT) + "…";
    }

}
