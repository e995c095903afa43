package dev.mailsync.common.db;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

import javax.sql.DataSource;

import jakarta.enterprise.context.ApplicationScoped;

import org.postgresql.PGStatement;

/**
 * Plain SQL for the hot tables (messages, outbox, leases, search index, metrics): one statement on a pooled
 * connection, in the caller's transaction if there is one, else auto-committed. Parameters bind with
 * {@code setObject}, except an {@link Instant} (a timestamp) and an {@link #array} (a SQL array). A failure is a
 * {@link Failed} carrying the driver's {@link SQLException} (and its SQLState) as the cause.
 */
@ApplicationScoped
public class Jdbc {

    /** PostgreSQL's SQLSTATE for a statement cancelled (by its timeout). */
    private static final String QUERY_CANCELED = "57014";

    private final DataSource dataSource;

    public Jdbc(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Every row, mapped. */
    public <T> List<T> list(String sql, Mapper<T> mapper, Object... params) {
        List<T> rows = new ArrayList<>();
        query(sql, Arrays.asList(params), rs -> rows.add(mapper.map(rs)));
        return rows;
    }

    /** The first row, mapped (empty when there is none). */
    public <T> Optional<T> optional(String sql, Mapper<T> mapper, Object... params) {
        List<T> rows = list(sql, mapper, params);
        return rows.isEmpty() ? Optional.empty() : Optional.ofNullable(rows.get(0));
    }

    /**
     * The one row of a query that always answers one (an aggregate, {@code RETURNING} of a single insert).
     *
     * @throws Failed when there is none
     */
    public <T> T one(String sql, Mapper<T> mapper, Object... params) {
        List<T> rows = list(sql, mapper, params);
        if (rows.size() != 1) {
            throw new Failed("expected one row, got " + rows.size(), null);
        }
        return rows.get(0);
    }

    /** Whether the query answers any row. */
    public boolean exists(String sql, Object... params) {
        boolean[] found = { false };
        query(sql, Arrays.asList(params), rs -> found[0] = true);
        return found[0];
    }

    /** Runs a query (or an UPDATE ... RETURNING) and hands each row to {@code row}. */
    public void query(String sql, List<?> args, Row row) {
        query(sql, args, null, row);
    }

    /**
     * Runs an API read: PostgreSQL cancels it after {@code timeout} (whole seconds, at least one), and plans it for
     * its own parameters every time. A server-prepared statement switches to one generic plan after five runs, and
     * the generic plan of a search ignores the word: a word in half the mailbox then sorted every match (100 ms
     * instead of 0.5 ms on 100,000 messages, measured). Planning costs a fraction of a millisecond.
     *
     * @throws StatementTimedOut when it was cancelled
     */
    public void query(String sql, List<?> args, Duration timeout, Row row) {
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(sql)) {
            if (timeout != null) {
                s.setQueryTimeout((int) Math.max(1, timeout.toSeconds()));
                s.unwrap(PGStatement.class).setPrepareThreshold(0);
            }
            for (int i = 0; i < args.size(); i++) {
                set(s, i + 1, args.get(i));
            }
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    row.read(rs);
                }
            }
        } catch (SQLException e) {
            if (QUERY_CANCELED.equals(e.getSQLState())) {
                throw new StatementTimedOut(e);
            }
            throw new Failed(e);
        }
    }

    /** Runs an INSERT, UPDATE or DELETE; answers the rows it touched. */
    public int update(String sql, Object... params) {
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                set(s, i + 1, params[i]);
            }
            return s.executeUpdate();
        } catch (SQLException e) {
            throw new Failed(e);
        }
    }

    /**
     * Runs one statement for each item as a JDBC batch (inserts go as multi-row statements:
     * {@code reWriteBatchedInserts}); it fails as a whole. The binder sets the parameters with typed setters, so
     * that a null has the same type in every row and PostgreSQL parses the statement once.
     */
    public <T> void batch(String sql, Collection<T> items, Binder<T> binder) {
        if (items.isEmpty()) {
            return;
        }
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(sql)) {
            for (T item : items) {
                binder.bind(s, item);
                s.addBatch();
            }
            s.executeBatch();
        } catch (SQLException e) {
            throw new Failed(e);
        }
    }

    /**
     * {@link #batch}, answering the {@code id} of every row the statements wrote (the driver adds
     * {@code RETURNING id}; a row an {@code ON CONFLICT DO NOTHING} or a {@code WHERE} left alone answers none).
     */
    public <T> List<Long> batchIds(String sql, Collection<T> items, Binder<T> binder) {
        List<Long> ids = new ArrayList<>();
        if (items.isEmpty()) {
            return ids;
        }
        try (Connection c = dataSource.getConnection();
                PreparedStatement s = c.prepareStatement(sql, new String[] { "id" })) {
            for (T item : items) {
                binder.bind(s, item);
                s.addBatch();
            }
            s.executeBatch();
            try (ResultSet keys = s.getGeneratedKeys()) {
                while (keys.next()) {
                    ids.add(keys.getLong(1));
                }
            }
            return ids;
        } catch (SQLException e) {
            throw new Failed(e);
        }
    }

    /** A SQL array parameter of element type {@code type} ({@code "text"}, {@code "bigint"}). */
    public static SqlArray array(String type, Collection<?> values) {
        return new SqlArray(type, values.toArray());
    }

    /** Binds one parameter as {@link #update} and the queries do: for binders that have a value of any kind. */
    public static void set(PreparedStatement s, int index, Object value) throws SQLException {
        if (value instanceof Instant instant) {
            setInstant(s, index, instant);
        } else if (value instanceof SqlArray array) {
            s.setArray(index, s.getConnection().createArrayOf(array.type(), array.values()));
        } else {
            s.setObject(index, value);
        }
    }

    /** Binds a timestamp (a typed null when there is none). */
    public static void setInstant(PreparedStatement s, int index, Instant value) throws SQLException {
        if (value == null) {
            s.setNull(index, Types.TIMESTAMP_WITH_TIMEZONE);
        } else {
            s.setTimestamp(index, Timestamp.from(value));
        }
    }

    /** Reads a timestamp column (null stays null). */
    public static Instant instant(ResultSet rs, int column) throws SQLException {
        Timestamp t = rs.getTimestamp(column);
        return t == null ? null : t.toInstant();
    }

    /** Reads a text[] column. */
    public static List<String> strings(ResultSet rs, int column) throws SQLException {
        return List.of((String[]) rs.getArray(column).getArray());
    }

    /** A SQL array parameter. */
    public record SqlArray(String type, Object[] values) {
    }

    /** A statement failed; the cause is the driver's exception (with its SQLState) when there is one. */
    public static class Failed extends IllegalStateException {
        Failed(SQLException cause) {
            super("SQL failed: " + cause.getMessage(), cause);
        }

        Failed(String message, SQLException cause) {
            super(message, cause);
        }
    }

    /** A statement ran past its timeout and was cancelled. */
    public static class StatementTimedOut extends Failed {
        StatementTimedOut(SQLException cause) {
            super("statement cancelled after its timeout", cause);
        }
    }

    /** Reads one row. */
    public interface Row {
        void read(ResultSet rs) throws SQLException;
    }

    /** Maps one row to a value. */
    public interface Mapper<T> {
        T map(ResultSet rs) throws SQLException;
    }

    /** Sets the parameters of one statement of a batch. */
    public interface Binder<T> {
        void bind(PreparedStatement s, T item) throws SQLException;
    }
}
