package dev.mailsync.imap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

/** The per-mailbox cap: permits per mailbox, a bounded wait, idle connections giving theirs up. */
class ConnectionPermitsTest {

    private final ConnectionPermits permits = new ConnectionPermits(2);
    private final UUID mailbox = UUID.randomUUID();

    @Test
    void shouldCapEachMailboxOnItsOwn() {
        ConnectionPermits.Permit first = permits.acquire(mailbox, Duration.ZERO);
        permits.acquire(mailbox, Duration.ZERO);

        assertThat(permits.inUse(mailbox)).isEqualTo(2);
        assertThat(permits.tryAcquire(mailbox)).isEmpty();
        assertThat(permits.tryAcquire(UUID.randomUUID())).as("another mailbox").isPresent();

        first.close();
        first.close(); // given back once only
        assertThat(permits.inUse(mailbox)).isEqualTo(1);
        assertThat(permits.tryAcquire(mailbox)).isPresent();
        assertThat(permits.tryAcquire(mailbox)).isEmpty();
    }

    @Test
    void shouldGiveUpAfterTheWaitWithRetryAfter() {
        permits.acquire(mailbox, Duration.ZERO);
        permits.acquire(mailbox, Duration.ZERO);
        long started = System.nanoTime();

        assertThatThrownBy(() -> permits.acquire(mailbox, Duration.ofMillis(200)))
                .isInstanceOfSatisfying(ImapBusy.class, busy -> {
                    assertThat(busy.mailboxId()).isEqualTo(mailbox);
                    assertThat(busy.retryAfter()).isPositive();
                });
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isBetween(Duration.ofMillis(190),
                Duration.ofSeconds(5));
    }

    @Test
    void shouldTakeThePermitOfAnIdleConnectionWhenAllAreTaken() {
        List<ConnectionPermits.Permit> idle = new ArrayList<>(List.of(permits.acquire(mailbox, Duration.ZERO),
                permits.acquire(mailbox, Duration.ZERO)));
        AtomicInteger reclaimed = new AtomicInteger();
        permits.reclaimIdleWith(id -> {
            reclaimed.incrementAndGet();
            idle.remove(0).close();
            return true;
        });

        ConnectionPermits.Permit working = permits.acquire(mailbox, Duration.ZERO);

        assertThat(reclaimed).hasValue(1);
        assertThat(permits.inUse(mailbox)).isEqualTo(2);
        working.close();
        assertThat(permits.acquire(mailbox, Duration.ZERO)).isNotNull();
        assertThat(reclaimed).as("a free permit needs no idle connection closed").hasValue(1);
    }
}
