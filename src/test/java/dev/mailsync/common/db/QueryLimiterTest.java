package dev.mailsync.common.db;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

class QueryLimiterTest {

    @Test
    void shouldRunAtMostTheConfiguredNumberOfReadsAtOnce() throws Exception {
        QueryLimiter limiter = new QueryLimiter(() -> OptionalInt.of(2));
        AtomicInteger running = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        AtomicInteger done = new AtomicInteger();
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            Thread t = new Thread(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    return;
                }
                limiter.run(() -> {
                    most.accumulateAndGet(running.incrementAndGet(), Math::max);
                    try {
                        Thread.sleep(20);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    running.decrementAndGet();
                    done.incrementAndGet();
                });
            });
            t.start();
            threads.add(t);
        }
        start.countDown();
        for (Thread t : threads) {
            t.join();
        }
        assertThat(done.get()).isEqualTo(12);
        assertThat(most.get()).isEqualTo(2);
    }

    @Test
    void shouldReleaseItsPermitWhenAReadFails() {
        QueryLimiter limiter = new QueryLimiter(() -> OptionalInt.of(1));
        for (int i = 0; i < 3; i++) {
            try {
                limiter.run(() -> {
                    throw new IllegalStateException("SQL failed");
                });
            } catch (IllegalStateException expected) {
                // the next read must still get its turn
            }
        }
        AtomicInteger ran = new AtomicInteger();
        limiter.run(ran::incrementAndGet);
        assertThat(ran.get()).isEqualTo(1);
    }
}
