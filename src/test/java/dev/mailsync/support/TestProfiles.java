package dev.mailsync.support;

import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;

/**
 * Test profiles shared between test classes. Every profile costs an application start (and the test resources
 * restart with it), so a class that needs settings other than {@code %test} reuses a profile here when the extra
 * settings do not change what the other classes of that profile check. Three classes keep a profile of their own
 * on purpose: {@code LimitsTest} (rate limits and a 1 s statement timeout would make other tests' requests fail),
 * {@code SyncLimitsTest} (small lease and size limits) and {@code MetricsAtStartTest} (needs an application no
 * test has used yet).
 */
public final class TestProfiles {

    private TestProfiles() {
    }

    /**
     * Settings an operator changes from their defaults: a frontend to send the browser back to after the connect
     * flow, an initial sync window of 30 days, and Sent copies APPENDed by the service (for servers that do not
     * file submitted mail) with the background sender running as in production, and webhooks refusing private
     * targets as in production.
     */
    public static class ChangedDefaults implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("mailsync.frontend-url", "https://app.example/settings/mail?tab=mail",
                    "mailsync.sync.initial-window", "30d",
                    "mailsync.outbox.append-to-sent", "true",
                    "mailsync.outbox.enabled", "true",
                    "mailsync.webhooks.allow-private", "false");
        }
    }
}
