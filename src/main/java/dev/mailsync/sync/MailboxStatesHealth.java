package dev.mailsync.sync;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

import javax.sql.DataSource;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;

import io.smallrye.health.api.HealthGroup;

/**
 * For ops, at {@code /q/health/group/mailboxes}: mailboxes by state and by last sync error, always UP (users'
 * own problems are not the service's health). No address or mailbox id is shown.
 */
@HealthGroup("mailboxes")
@ApplicationScoped
public class MailboxStatesHealth implements HealthCheck {

    private final DataSource dataSource;

    public MailboxStatesHealth(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder response = HealthCheckResponse.named("mailboxes").up();
        try (Connection c = dataSource.getConnection()) {
            count(c, response, "state.", "select lower(state), count(*) from mailbox group by state");
            count(c, response, "lastError.", """
                    select s.last_error_code, count(*) from mailbox_sync s
                    where s.last_error_code is not null group by s.last_error_code""");
            count(c, response, "sync.", """
                    select 'overdue', count(*) from mailbox_sync s join mailbox m on m.id = s.mailbox_id
                    where m.state = 'ACTIVE' and s.next_run_at < now() - interval '5 minutes'""");
        } catch (SQLException e) {
            response.withData("problem", "database unavailable");
        }
        return response.build();
    }

    private static void count(Connection c, HealthCheckResponseBuilder response, String prefix, String sql)
            throws SQLException {
        try (PreparedStatement s = c.prepareStatement(sql); ResultSet rs = s.executeQuery()) {
            while (rs.next()) {
                response.withData(prefix + rs.getString(1), rs.getLong(2));
            }
        }
    }
}
