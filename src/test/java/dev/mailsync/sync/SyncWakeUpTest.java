package dev.mailsync.sync;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * {@code POST .../sync} never grows a queue: the request is one flag per mailbox in PostgreSQL, and the wake-ups
 * it sends the scheduler coalesce, so however often it is called, at most one waits for a worker.
 */
class SyncWakeUpTest {

    @Test
    void shouldKeepAtMostOneWakeUpWaitingHoweverOftenPassesAreRequested() throws Exception {
        CountDownLatch dispatching = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger dispatches = new AtomicInteger();
        SyncConfig config = config();
        SyncLeases leases = new SyncLeases(null, config, null) {
            @Override
            public List<UUID> claimDue(String owner, int limit) {
                dispatches.incrementAndGet();
                dispatching.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return List.of();
            }
        };
        SyncScheduler scheduler = new SyncScheduler(leases, null, config, idleMachine(), new SimpleMeterRegistry());
        scheduler.wakeUp();
        assertThat(dispatching.await(5, TimeUnit.SECONDS)).isTrue(); // the only worker is busy

        for (int i = 0; i < 10_000; i++) {
            scheduler.wakeUp();
        }

        assertThat(scheduler.queuedTasks()).isEqualTo(1);
        release.countDown();
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> scheduler.queuedTasks() == 0);
        Thread.sleep(100);
        assertThat(dispatches.get()).isEqualTo(2); // the burst became one more look for due work
    }

    /** A machine with CPU and database connections to spare. */
    private static SyncLoad idleMachine() {
        return new SyncLoad(null) {
            @Override
            double cpu() {
                return 0.1;
            }

            @Override
            synchronized double poolWaitPerSecond() {
                return 0;
            }
        };
    }

    /** Sync enabled with one worker; every other setting at a harmless value. */
    private static SyncConfig config() {
        return (SyncConfig) Proxy.newProxyInstance(SyncConfig.class.getClassLoader(), new Class<?>[] { SyncConfig.class },
                (proxy, method, args) -> switch (method.getName()) {
                    case "enabled" -> true;
                    case "concurrency", "maxConcurrency" -> 1;
                    case "hashCode" -> 0;
                    case "equals" -> false;
                    case "toString" -> "SyncConfig";
                    default -> method.getReturnType() == Duration.class ? Duration.ofSeconds(1) : null;
                });
    }
}
