package dev.mailsync.sync;

import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;

import dev.mailsync.common.db.Jdbc;
import io.smallrye.health.api.HealthGroup;

/**
 * For ops, at {@code /q/health/group/mailboxes}: mailboxes by state and by last sync error, always UP (users'
 * own problems are not the service's health). No address or mailbox id is shown.
 */
@HealthGroup("mailboxes")
@ApplicationScoped
public class MailboxStatesHealth implements HealthCheck {

    private final Jdbc jdbc;

    public MailboxStatesHealth(Jdbc jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder response = HealthCheckResponse.named("mailboxes").up();
        try {
            count(response, "state.", "select lower(state), count(*) from mailbox group by state");
            count(response, "lastError.", """
                    select s.last_error_code, count(*) from mailbox_sync s
                    where s.last_error_code is not null group by s.last_error_code""");
            count(response, "sync.", """
                    select 'overdue', count(*) from mailbox_sync s join mailbox m on m.id = s.mailbox_id
                    where m.state = 'ACTIVE' and s.next_run_at < now() - interval '5 minutes'""");
        } catch (Jdbc.Failed e) {
            response.withData("problem", "database unavailable");
        }
        return response.build();
    }

    private void count(HealthCheckResponseBuilder response, String prefix, String sql) {
        jdbc.query(sql, List.of(), rs -> response.withData(prefix + rs.getString(1), rs.getLong(2)));
    }
}
