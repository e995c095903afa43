package dev.mailsync.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

import dev.mailsync.sync.ConcurrencyLimit.Load;

class ConcurrencyLimitTest {

    private static final double IDLE_CPU = 0.3;

    @Test
    void shouldGrowByOneAPeriodWhileClaimsFillEverySlotAndNothingIsSaturated() {
        ConcurrencyLimit limit = new ConcurrencyLimit(4, 16);

        assertThat(limit.adjust(new Load(true, IDLE_CPU, 0))).isEqualTo(5);
        assertThat(limit.adjust(new Load(true, IDLE_CPU, 0))).isEqualTo(6);
    }

    @Test
    void shouldNotGrowWhenTheLastClaimLeftSlotsFree() {
        ConcurrencyLimit limit = new ConcurrencyLimit(4, 16);

        assertThat(limit.adjust(new Load(false, IDLE_CPU, 0))).isEqualTo(4);
        assertThat(limit.adjust(new Load(false, IDLE_CPU, 0))).isEqualTo(4);
    }

    @Test
    void shouldStopAtTheMaximum() {
        ConcurrencyLimit limit = new ConcurrencyLimit(4, 6);

        for (int i = 0; i < 10; i++) {
            limit.adjust(new Load(true, IDLE_CPU, 0));
        }

        assertThat(limit.limit()).isEqualTo(6);
    }

    @Test
    void shouldDropByAQuarterWhenTheCpuIsSaturated() {
        ConcurrencyLimit limit = grownTo(12);

        assertThat(limit.adjust(new Load(true, 0.95, 0))).isEqualTo(9);
        assertThat(limit.adjust(new Load(true, 0.95, 0))).isEqualTo(6);
        assertThat(limit.adjust(new Load(true, 0.95, 0))).isEqualTo(4);
        assertThat(limit.adjust(new Load(true, 0.95, 0))).isEqualTo(4); // never below concurrency
    }

    @Test
    void shouldDropWhenPassesWaitForDatabaseConnections() {
        ConcurrencyLimit limit = grownTo(12);

        assertThat(limit.adjust(new Load(true, IDLE_CPU, 0.2))).isEqualTo(9);
        assertThat(limit.adjust(new Load(true, IDLE_CPU, 0.01))).isEqualTo(10); // a moment's wait is no saturation
    }

    @Test
    void shouldTreatAnUnknownCpuAsNotSaturated() {
        ConcurrencyLimit limit = new ConcurrencyLimit(4, 16);

        assertThat(limit.adjust(new Load(true, -1, 0))).isEqualTo(5);
    }

    @Test
    void shouldStayFixedWhenTheMaximumIsTheMinimum() {
        ConcurrencyLimit limit = new ConcurrencyLimit(4, 4);

        assertThat(limit.adjust(new Load(true, IDLE_CPU, 0))).isEqualTo(4);
        assertThat(limit.adjust(new Load(true, 0.99, 1))).isEqualTo(4);
    }

    @Test
    void shouldRefuseAMaximumBelowTheMinimum() {
        assertThatThrownBy(() -> new ConcurrencyLimit(4, 2)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ConcurrencyLimit(0, 2)).isInstanceOf(IllegalArgumentException.class);
    }

    private static ConcurrencyLimit grownTo(int n) {
        ConcurrencyLimit limit = new ConcurrencyLimit(4, 16);
        while (limit.limit() < n) {
            limit.adjust(new Load(true, IDLE_CPU, 0));
        }
        return limit;
    }
}
