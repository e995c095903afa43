package dev.mailsync.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.startsWith;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.mailsync.events.EventLog;
import dev.mailsync.events.EventType;
import dev.mailsync.support.MailboxTestBase;
import dev.mailsync.support.Mailboxes;
import dev.mailsync.support.MailsyncTest;
import dev.mailsync.support.TestProfiles;
import dev.mailsync.support.TestUsers;
import io.quarkus.test.junit.TestProfile;

/**
 * Server-side request forgery, with private targets refused as in production: at creation, and at every attempt
 * (a host that resolved publicly when the webhook was created and points at loopback now, as after DNS rebinding).
 */
@MailsyncTest
@TestProfile(TestProfiles.ChangedDefaults.class)
class WebhookTargetRefusalTest extends MailboxTestBase {

    @Inject
    EventLog events;
    @Inject
    WebhookStore store;

    /** Java's URI reads no host from {@code 0x7f.1} (a final label starts with a digit): refused as malformed. */
    @Test
    void shouldRefuseAnIpv4SpellingJavaCannotReadAsAHost() {
        Webhooks.create(TestUsers.bearer("webhook-ssrf-" + UUID.randomUUID()), Map.of("url", "http://0x7f.1:8080/",
                "events", List.of("*"))).statusCode(400).body("code", is("validation_failed"))
                .body("errors[0].field", is("url"));
    }

    @ParameterizedTest
    @ValueSource(strings = { "http://127.0.0.1:%d/hook", "http://localhost:%d/hook", "http://localhost.:%d/",
            "http://2130706433:%d/", "http://0x7f000001:%d/", "http://0177.0.0.1:%d/", "http://[::1]:%d/",
            "http://[::ffff:127.0.0.1]:%d/",
            "http://0.0.0.0:%d/", "http://169.254.169.254:%d/latest/meta-data/", "http://10.0.0.8:%d/",
            "http://192.168.0.1:%d/", "http://100.64.0.1:%d/", "http://[fd00::1]:%d/" })
    void shouldRefuseAPrivateTargetAtCreation(String url) {
        String bearer = TestUsers.bearer("webhook-ssrf-" + UUID.randomUUID());
        Webhooks.create(bearer, Map.of("url", url.formatted(8080), "events", List.of("*"))).statusCode(400)
                .body("code", is("webhook_url_refused")).body("detail", startsWith("The URL's host"));
        Webhooks.get(bearer, "").body("items", org.hamcrest.Matchers.empty());
    }

    @Test
    void shouldRefuseEveryAttemptToAHostThatNowResolvesToLoopback() throws Exception {
        try (Receiver receiver = new Receiver()) {
            String user = "webhook-ssrf-" + UUID.randomUUID();
            String bearer = TestUsers.bearer(user);
            UUID mailboxId = UUID.fromString(Mailboxes.connect(fake, bearer, Mailboxes.newAccount(mail)));
            // stored as if it had passed the check at creation, when the name still resolved to a public address
            UUID id = UUID.randomUUID();
            String url = "http://localhost:" + receiver.port() + "/rebound";
            assertThat(store.insert(id, user, "user", url, List.of("*"), WebhookSecret.generate(), 10)).isTrue();

            events.mailbox(mailboxId, EventType.MAILBOX_SYNC, (String) null);

            await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> Webhooks.get(bearer,
                    "/" + id + "/deliveries").statusCode(200).body("items[0].attempts", is(3))
                    .body("items[0].state", is("failed"))
                    .body("items[0].lastError", is("refused: The URL's host is not a public address (localhost)")));
            assertThat(receiver.requests()).isEmpty();
        }
    }
}
