package dev.mailsync.webhook;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import dev.mailsync.common.crypto.SecretColumn;
import dev.mailsync.common.db.Jdbc;

/**
 * The {@code webhook} table. A webhook is visible to its creator; an admin-wide one (scope {@code all}) to every
 * administrator too. The secret is stored sealed ({@link SecretColumn#WEBHOOK_SECRET}).
 */
@ApplicationScoped
public class WebhookStore {

    private static final String VIEW_COLUMNS = """
            id, url, events, scope, state, disabled_reason, disabled_at, created_at""";
    private static final String VISIBLE = "(user_id = ? or (scope = 'all' and ?))";

    private final Jdbc jdbc;

    public WebhookStore(Jdbc jdbc) {
        this.jdbc = jdbc;
    }

    /** An active webhook as the fan-out matches events against it. */
    record Subscriber(UUID id, String userId, boolean adminWide, List<String> events, Instant createdAt) {
    }

    /**
     * Stores a webhook unless its creator already holds {@code max}; answers whether it was stored.
     */
    boolean insert(UUID id, String userId, String scope, String url, List<String> events, String secret, int max) {
        return jdbc.update("""
                insert into webhook (id, user_id, scope, url, events, secret)
                select ?, ?, ?, ?, ?, ? where (select count(*) from webhook where user_id = ?) < ?""",
                id, userId, scope, url, Jdbc.array("text", events), SecretColumn.WEBHOOK_SECRET.seal(id, secret),
                userId, max) == 1;
    }

    List<WebhookView> visible(String userId, boolean admin) {
        return jdbc.list("select " + VIEW_COLUMNS + " from webhook where " + VISIBLE + " order by created_at, id",
                WebhookStore::view, userId, admin);
    }

    Optional<WebhookView> get(UUID id, String userId, boolean admin) {
        return jdbc.optional("select " + VIEW_COLUMNS + " from webhook where id = ? and " + VISIBLE,
                WebhookStore::view, id, userId, admin);
    }

    boolean delete(UUID id, String userId, boolean admin) {
        return jdbc.update("delete from webhook where id = ? and " + VISIBLE, id, userId, admin) == 1;
    }

    /**
     * Enables a webhook again: the count of exhausted deliveries in a row starts anew. Answers whether the caller
     * sees it.
     */
    boolean enable(UUID id, String userId, boolean admin) {
        return jdbc.update("""
                update webhook set state = 'active', disabled_reason = null, disabled_at = null, exhausted_in_a_row = 0
                where id = ? and """ + VISIBLE, id, userId, admin) == 1;
    }

    /** The URL of a webhook the caller sees. */
    Optional<String> url(UUID id, String userId, boolean admin) {
        return jdbc.optional("select url from webhook where id = ? and " + VISIBLE, rs -> rs.getString(1), id, userId,
                admin);
    }

    /** Every active webhook. */
    List<Subscriber> active() {
        return jdbc.list("select id, user_id, scope, events, created_at from webhook where state = 'active'",
                rs -> new Subscriber(rs.getObject(1, UUID.class), rs.getString(2), "all".equals(rs.getString(3)),
                        Jdbc.strings(rs, 4), Jdbc.instant(rs, 5)));
    }

    /** A delivery reached its receiver: the count of exhausted deliveries in a row starts again. */
    void succeeded(UUID id) {
        jdbc.update("update webhook set exhausted_in_a_row = 0 where id = ? and exhausted_in_a_row <> 0", id);
    }

    /** A delivery failed every attempt; answers how many did so in a row. */
    int exhausted(UUID id) {
        return jdbc.optional("update webhook set exhausted_in_a_row = exhausted_in_a_row + 1 where id = ? "
                + "returning exhausted_in_a_row", rs -> rs.getInt(1), id).orElse(0);
    }

    /** Disables an active webhook; its waiting deliveries fail. Answers whether it was active. */
    boolean disable(UUID id, String reason) {
        boolean changed = jdbc.update("""
                update webhook set state = 'disabled', disabled_reason = ?, disabled_at = now()
                where id = ? and state = 'active'""", reason, id) == 1;
        if (changed) {
            jdbc.update("""
                    update webhook_delivery set state = 'failed', last_error = 'webhook disabled', updated_at = now(),
                        lease_owner = null, lease_until = null
                    where webhook_id = ? and state = 'pending'""", id);
        }
        return changed;
    }

    private static WebhookView view(ResultSet rs) throws SQLException {
        return new WebhookView(rs.getObject(1, UUID.class).toString(), rs.getString(2), Jdbc.strings(rs, 3),
                rs.getString(4), rs.getString(5), rs.getString(6), Jdbc.instant(rs, 7), Jdbc.instant(rs, 8));
    }
}
