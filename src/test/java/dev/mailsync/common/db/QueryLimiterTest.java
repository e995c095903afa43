package dev.mailsync.common.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import dev.mailsync.common.problem.ProblemException;

class QueryLimiterTest {

    @Test
    void shouldRunAtMostTheConfiguredNumberOfReadsAtOnce() throws Exception {
        QueryLimiter limiter = new QueryLimiter(config(2, Duration.ofSeconds(30)));
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
        QueryLimiter limiter = new QueryLimiter(config(1, Duration.ofSeconds(30)));
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

    @Test
    void shouldAnswer503InsteadOfWaitingLongerThanTheQueryWait() throws Exception {
        QueryLimiter limiter = new QueryLimiter(config(1, Duration.ofMillis(100)));
        CountDownLatch holding = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Thread holder = new Thread(() -> limiter.run(() -> {
            holding.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }));
        holder.start();
        holding.await();
        long started = System.nanoTime();
        try {
            assertThatThrownBy(() -> limiter.run(() -> {
            })).isInstanceOfSatisfying(ProblemException.class, e -> {
                assertThat(e.status()).isEqualTo(503);
                assertThat(e.code()).isEqualTo("busy");
                assertThat(e.retryAfterSeconds()).isEqualTo(1);
            });
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isBetween(Duration.ofMillis(90),
                    Duration.ofSeconds(2));
        } finally {
            release.countDown();
            holder.join();
        }
    }

    private static QueryLimiter.Config config(int concurrency, Duration wait) {
        return new QueryLimiter.Config() {
            @Override
            public OptionalInt queryConcurrency() {
                return OptionalInt.of(concurrency);
            }

            @Override
            public Duration queryWait() {
                return wait;
            }

            @Override
            public Duration statementTimeout() {
                return Duration.ofSeconds(10);
            }
        };
    }
}
