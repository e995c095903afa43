package dev.mailsync.ops;

import static dev.mailsync.support.Management.management;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import java.util.UUID;
import java.time.Duration;


import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import com.icegreen.greenmail.store.MailFolder;
import com.icegreen.greenmail.util.GreenMail;

import dev.mailsync.support.Mailboxes;
import dev.mailsync.support.TestUsers;
import dev.mailsync.sync.MailboxSyncer;
import dev.mailsync.support.MailsyncTest;
import dev.mailsync.support.MailboxTestBase;

/** Health, metrics and a pass interrupted by shutdown, after real sync passes against GreenMail. */
@MailsyncTest
class OperationsTest extends MailboxTestBase {

    @Test
    void shouldExposeSyncMetricsWithoutPersonalLabels() throws Exception {
        fake.accessTokenLifetime(60); // the pass refreshes the token
        String address = Mailboxes.newAccount(mail);
        MailFolder inbox = Mailboxes.folder(mail, address, "INBOX");
        for (int i = 0; i < 12; i++) {
            Mailboxes.append(inbox, "metric " + i, "x", null);
        }
        String id = Mailboxes.connect(fake, TestUsers.bearer("ops-" + UUID.randomUUID()), address);
        assertThat(leases.claim(UUID.fromString(id), "test")).isTrue();
        syncer.runPass(UUID.fromString(id), "test");

        String metrics = management().get("/q/metrics").then().statusCode(200).extract().asString();

        assertThat(metrics).contains("mailsync_sync_passes_total{outcome=\"success\"}")
                .contains("mailsync_sync_pass_duration_seconds_bucket")
                .contains("mailsync_sync_messages_total{change=\"added\"}")
                .contains("mailsync_sync_messages_total{change=\"removed\"}")
                .contains("mailsync_sync_lag_seconds")
                .contains("mailsync_mailboxes{state=\"active\"}")
                .contains("mailsync_token_refreshes_total{outcome=\"success\"}")
                .contains("http_server_requests_seconds_count")
                .doesNotContain(address).doesNotContain(id).doesNotContain("contoso.example");
        assertThat(value(metrics, "mailsync_sync_messages_total{change=\"added\"}")).isGreaterThanOrEqualTo(12);
    }

    @Test
    void shouldReportReadinessOfTheSyncEngineAndMailboxStatesForOps() {
        management().get("/q/health/ready").then().statusCode(200)
                .body("checks.name", hasItem("sync-engine"))
                .body("checks.find { it.name == 'sync-engine' }.status", equalTo("UP"));
        management().get("/q/health/group/mailboxes").then().statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks[0].name", equalTo("mailboxes"));
    }

    @Test
    void shouldReleaseTheLeaseOfAPassStoppedByShutdown() throws Exception {
        String address = Mailboxes.newAccount(mail);
        MailFolder inbox = Mailboxes.folder(mail, address, "INBOX");
        for (int i = 0; i < 400; i++) {
            Mailboxes.append(inbox, "long pass " + i, ("text " + i).repeat(300), null);
        }
        UUID id = UUID.fromString(Mailboxes.connect(fake, TestUsers.bearer("ops-" + UUID.randomUUID()), address));
        assertThat(leases.claim(id, "replica-a")).isTrue();
        Thread pass = new Thread(() -> syncer.runPass(id, "replica-a"));
        pass.start();
        Awaitility.await().pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(5)).atMost(Duration.ofSeconds(60))
                .until(() -> sql.count("select count(*) from message where mailbox_id = ?", id) > 0);

        abortRunningPasses(); // what SIGTERM does once the shutdown grace is over
        pass.join(10_000);

        assertThat(pass.isAlive()).isFalse();
        assertThat(sql.text("select coalesce(lease_owner, 'none') || ':' || (next_run_at <= now()) || ':' || "
                + "coalesce(last_error_code, 'none') from mailbox_sync where mailbox_id = ?", id))
                .isEqualTo("none:true:none");
        long before = sql.count("select count(*) from message where mailbox_id = ?", id);
        assertThat(before).isBetween(1L, 399L);
        // another replica takes the mailbox over at once and completes it
        assertThat(leases.claimDue("replica-b", 1000)).contains(id);
        syncer.runPass(id, "replica-b");
        assertThat(sql.count("select count(*) from message where mailbox_id = ?", id)).isEqualTo(400);
        assertThat(sql.count("select count(distinct uid) from message where mailbox_id = ?", id)).isEqualTo(400);
    }

    private void abortRunningPasses() throws Exception {
        var method = MailboxSyncer.class.getDeclaredMethod("abortRunningPasses");
        method.setAccessible(true);
        method.invoke(io.quarkus.arc.ClientProxy.unwrap(syncer));
    }

    private static double value(String metrics, String series) {
        return metrics.lines().filter(l -> l.startsWith(series)).map(l -> l.substring(l.lastIndexOf(' ') + 1))
                .mapToDouble(Double::parseDouble).findFirst().orElse(-1);
    }

}
