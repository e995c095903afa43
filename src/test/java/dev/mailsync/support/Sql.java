package dev.mailsync.support;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;

import javax.sql.DataSource;

import jakarta.enterprise.context.ApplicationScoped;

/**
 * Direct SQL for tests that look at or arrange what the service stored, with bind parameters ({@code ?}). Text
 * parameters are sent untyped, so PostgreSQL reads them as whatever the column is ({@code uuid}, {@code bigint},
 * {@code text}): {@code sql.count("select count(*) from message where mailbox_id = ?", id)} with a string id.
 */
@ApplicationScoped
public class Sql {

    private final DataSource dataSource;

    Sql(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** The first column of the first row, as text (null for SQL NULL). */
    public String text(String sql, Object... parameters) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement s = prepare(c, sql, parameters);
                ResultSet rs = s.executeQuery()) {
            if (!rs.next()) {
                throw new AssertionError("no row: " + sql);
            }
            return rs.getString(1);
        }
    }

    /** The first column of the first row as a number, for {@code select count(*) ...}. */
    public long count(String sql, Object... parameters) throws SQLException {
        return Long.parseLong(text(sql, parameters));
    }

    /** The first column of every row, as text. */
    public List<String> list(String sql, Object... parameters) throws SQLException {
        List<String> values = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement s = prepare(c, sql, parameters);
                ResultSet rs = s.executeQuery()) {
            while (rs.next()) {
                values.add(rs.getString(1));
            }
        }
        return values;
    }

    /** Runs an update, insert or delete; answers the number of rows it changed. */
    public int execute(String sql, Object... parameters) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement s = prepare(c, sql, parameters)) {
            s.execute();
            return Math.max(s.getUpdateCount(), 0);
        }
    }

    private static PreparedStatement prepare(Connection c, String sql, Object[] parameters) throws SQLException {
        PreparedStatement s = c.prepareStatement(sql);
        for (int i = 0; i < parameters.length; i++) {
            if (parameters[i] instanceof CharSequence text) {
                s.setObject(i + 1, text.toString(), Types.OTHER); // untyped: PostgreSQL infers the column's type
            } else {
                s.setObject(i + 1, parameters[i]);
            }
        }
        return s;
    }
}
