package dev.mailsync.ops;

import static dev.mailsync.support.Management.management;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.awaitility.Awaitility;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;
import dev.mailsync.support.MailsyncTest;


/**
 * Readiness goes down while PostgreSQL refuses the service (its database closed to connections, every session
 * terminated) and comes back with it; liveness stays up throughout.
 */
@MailsyncTest
class DatabaseOutageTest {

    @Test
    void shouldBeUnreadyWhileTheDatabaseIsUnreachable() throws SQLException {
        management().get("/q/health/ready").then().statusCode(200);

        String url = ConfigProvider.getConfig().getValue("quarkus.datasource.jdbc.url", String.class);
        Matcher database = Pattern.compile("jdbc:postgresql://[^/]+/([^?]+)").matcher(url);
        assertThat(database.find()).isTrue();
        String name = database.group(1);
        try (Connection admin = adminConnection(url.replace("/" + name, "/template1"));
                Statement s = admin.createStatement()) {
            s.execute("alter database \"" + name + "\" allow_connections false");
            s.execute("select pg_terminate_backend(pid) from pg_stat_activity where datname = '" + name + "'");
            try {
                Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> management().get("/q/health/ready")
                        .then().statusCode(503).body("status", equalTo("DOWN")));
                management().get("/q/health/live").then().statusCode(200);
            } finally {
                s.execute("alter database \"" + name + "\" allow_connections true");
            }
        }

        Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> management().get("/q/health/ready")
                .then().statusCode(200).body("checks.find { it.name == 'sync-engine' }.status", equalTo("UP")));
    }

    /** A session on another database of the same server, to close and reopen the service's database. */
    private static Connection adminConnection(String url) throws SQLException {
        String user = ConfigProvider.getConfig().getOptionalValue("quarkus.datasource.username", String.class)
                .orElse("postgres");
        String password = ConfigProvider.getConfig().getOptionalValue("quarkus.datasource.password", String.class)
                .orElse("");
        return DriverManager.getConnection(url, user, password);
    }
}
