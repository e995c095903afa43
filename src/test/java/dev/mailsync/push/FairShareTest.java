package dev.mailsync.push;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.junit.jupiter.api.Test;

class FairShareTest {

    @Test
    void shouldShareTheWatchesEvenlyAndCoverEveryMailbox() {
        assertThat(FairShare.of(2000, 1, 0).toClaim()).isEqualTo(2000);
        assertThat(FairShare.of(2000, 2, 0).toClaim()).isEqualTo(1000);
        assertThat(FairShare.of(2001, 2, 0).share()).isEqualTo(1001); // shares add up to at least the total
        assertThat(FairShare.of(5, 3, 0).share() * 3).isGreaterThanOrEqualTo(5);
        assertThat(FairShare.of(0, 2, 0).toClaim()).isZero();
    }

    @Test
    void shouldGiveBackTheExcessWhenAReplicaJoins() {
        FairShare joined = FairShare.of(2000, 2, 2000);
        assertThat(joined.toRelease()).isEqualTo(1000);
        assertThat(joined.toClaim()).isZero();
        FairShare atShare = FairShare.of(2000, 2, 1000);
        assertThat(atShare.toRelease()).isZero();
        assertThat(atShare.toClaim()).isZero();
        assertThat(FairShare.of(2000, 0, 10).share()).isEqualTo(2000); // never divides by zero
    }

    @Test
    void shouldDoubleTheReconnectDelayWithinItsUpperHalfUpToTheMaximum() {
        Backoff backoff = new Backoff(Duration.ofSeconds(1), Duration.ofMinutes(5));
        assertThat(backoff.delay(1, () -> 0.0)).isEqualTo(Duration.ofMillis(500));
        assertThat(backoff.delay(1, () -> 0.999)).isBetween(Duration.ofMillis(990), Duration.ofSeconds(1));
        assertThat(backoff.delay(3, () -> 0.0)).isEqualTo(Duration.ofSeconds(2));
        assertThat(backoff.delay(3, () -> 0.5)).isEqualTo(Duration.ofSeconds(3));
        assertThat(backoff.delay(40, () -> 0.0)).isEqualTo(Duration.ofSeconds(150));
        assertThat(backoff.delay(40, () -> 0.9999)).isLessThanOrEqualTo(Duration.ofMinutes(5));
        assertThat(backoff.delay(0, () -> 0.0)).isEqualTo(Duration.ofMillis(500));
    }

    @Test
    void shouldWatchInboxFirstAndNoMoreFoldersThanTheBudget() {
        assertThat(Watchers.budget(java.util.List.of("INBOX", "Archive", "Projects"), 2))
                .containsExactly("INBOX", "Archive");
        assertThat(Watchers.budget(java.util.List.of("INBOX"), 2)).containsExactly("INBOX");
        assertThat(Watchers.budget(java.util.List.of("INBOX", "Archive"), 0)).isEmpty();
    }
}
