package dev.mailsync.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.LongStream;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.mailsync.events.EventLog;
import dev.mailsync.events.EventType;
import dev.mailsync.support.MailboxTestBase;
import dev.mailsync.support.Mailboxes;
import dev.mailsync.support.Management;
import dev.mailsync.support.MailsyncTest;
import dev.mailsync.support.TestUsers;

/** The fan-out makes exactly one delivery per event and webhook, however many fan out at once. */
@MailsyncTest
class WebhookFanOutTest extends MailboxTestBase {

    @Inject
    EventLog events;
    @Inject
    WebhookFanOut fanOut;

    @Test
    void shouldCreateOneDeliveryPerEventAndWebhookWhenManyFanOutAtOnce() throws Exception {
        try (Receiver receiver = new Receiver()) {
            String bearer = TestUsers.bearer("webhook-fanout-" + UUID.randomUUID());
            UUID mailboxId = UUID.fromString(Mailboxes.connect(fake, bearer, Mailboxes.newAccount(mail)));
            String first = Webhooks.create(bearer, receiver.url("/first"), List.of("message.created"), null);
            String second = Webhooks.create(bearer, receiver.url("/second"), List.of("*"), null);
            List<Long> ids = LongStream.rangeClosed(1, 200).boxed().toList();

            ExecutorService threads = Executors.newFixedThreadPool(4);
            try {
                List<Future<?>> runs = new ArrayList<>();
                for (int i = 0; i < 20; i++) { // 20 batches of 10 events, fanned out by 4 threads (and the scheduler)
                    List<Long> batch = ids.subList(i * 10, i * 10 + 10);
                    events.messages(mailboxId, EventType.MESSAGE_CREATED, "INBOX", batch, true);
                    runs.add(threads.submit(fanOut::fanOutOnce));
                    runs.add(threads.submit(fanOut::fanOutOnce));
                }
                for (Future<?> run : runs) {
                    run.get();
                }
            } finally {
                threads.shutdown();
            }

            await().atMost(Duration.ofSeconds(60)).until(() -> receiver.requests().size() >= 400);
            for (String path : List.of("/first", "/second")) {
                List<String> messageIds = receiver.requests(path).stream()
                        .map(r -> r.body().replaceAll(".*\"messageId\":\"(\\d+)\".*", "$1")).toList();
                assertThat(messageIds).hasSize(200).doesNotHaveDuplicates();
            }
            assertThat(sql.count("select count(*) from webhook_delivery where webhook_id in (?, ?)",
                    UUID.fromString(first), UUID.fromString(second))).isEqualTo(400);
            await().atMost(Duration.ofSeconds(10)).until(() -> Management.management().get("/q/metrics").asString()
                    .contains("mailsync_webhook_deliveries_total{outcome=\"delivered\"}"));
        }
    }
}
