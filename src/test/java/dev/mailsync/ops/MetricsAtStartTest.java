package dev.mailsync.ops;

import static dev.mailsync.support.Management.management;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import dev.mailsync.support.MailsyncTest;

/**
 * Right after start-up, before any pass, refresh or submission, every series with a known set of labels is
 * there with 0, so dashboards and alert rules (rate, absent) work from the first scrape. A profile of its own
 * gives it a freshly started application.
 */
@MailsyncTest
@TestProfile(MetricsAtStartTest.FreshStart.class)
class MetricsAtStartTest {

    @Test
    void shouldPublishEveryKnownSeriesAtZeroFromStartUp() {
        String metrics = management().get("/q/metrics").then().statusCode(200).extract().asString();

        for (String outcome : new String[] { "success", "invalid_grant", "failed", "undecryptable" }) {
            assertThat(value(metrics, "mailsync_token_refreshes_total{outcome=\"" + outcome + "\"}")).isZero();
        }
        for (String outcome : new String[] { "success", "lease_lost", "released", "reauth_required",
                "token_unavailable", "imap_auth_failed", "imap_error", "internal_error", "imap_throttled",
                "imap_busy" }) {
            assertThat(value(metrics, "mailsync_sync_passes_total{outcome=\"" + outcome + "\"}")).isZero();
        }
        for (String kind : new String[] { "auth", "connection", "protocol" }) {
            assertThat(value(metrics, "mailsync_imap_errors_total{kind=\"" + kind + "\"}")).isZero();
        }
        for (String what : new String[] { "login", "sync", "push", "api", "outbox" }) {
            assertThat(value(metrics, "mailsync_imap_throttled_total{what=\"" + what + "\"}")).isZero();
        }
        // gauges count what is stored (the embedded database outlives the restart): present, not necessarily 0
        for (String state : new String[] { "queued", "sending", "sent", "failed" }) {
            assertThat(value(metrics, "mailsync_outbox_items{state=\"" + state + "\"}")).isNotNegative();
        }
        for (String code : new String[] { "smtp_auth_disabled", "recipient_refused", "message_too_large",
                "send_as_denied", "smtp_busy", "mailbox_reauth_required", "token_unavailable" }) {
            assertThat(value(metrics, "mailsync_outbox_failed_total{code=\"" + code + "\"}")).isZero();
        }
        assertThat(value(metrics, "mailsync_smtp_errors_total{code=\"smtp_auth_disabled\"}")).isZero();
        assertThat(value(metrics, "mailsync_outbox_sent_total")).isZero();
        assertThat(value(metrics, "mailsync_mailboxes{state=\"active\"}")).isNotNegative();
        for (String outcome : new String[] { "done", "busy", "failed" }) {
            assertThat(value(metrics, "mailsync_push_passes_total{outcome=\"" + outcome + "\"}")).isZero();
        }
        for (String reason : new String[] { "dropped", "auth_failed", "not_supported" }) {
            assertThat(value(metrics, "mailsync_push_disconnects_total{reason=\"" + reason + "\"}")).isZero();
        }
        assertThat(value(metrics, "mailsync_push_events_total{kind=\"exists\"}")).isZero();
        assertThat(value(metrics, "mailsync_push_connections")).isZero();
    }

    /** The value of one series; fails when the series is missing. */
    private static double value(String metrics, String series) {
        return metrics.lines().filter(l -> l.startsWith(series + " "))
                .map(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).findFirst()
                .orElseThrow(() -> new AssertionError(series + " is not published"));
    }

    /** A profile of its own: Quarkus restarts the application for it. */
    public static class FreshStart implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("mailsync.sync.enabled", "false");
        }
    }
}
