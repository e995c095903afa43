package dev.mailsync.support;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import javax.sql.DataSource;

/** Direct SQL for tests that look at what the service stored. */
public final class Sql {

    private Sql() {
    }

    /** The first column of the first row, as text (null for SQL NULL). */
    public static String text(DataSource dataSource, String sql) throws SQLException {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    public static long count(DataSource dataSource, String sql) throws SQLException {
        return Long.parseLong(text(dataSource, sql));
    }

    public static void execute(DataSource dataSource, String sql) throws SQLException {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }
}
