package dev.mailsync.events;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

/** Retention deletes a leading run of old events, never past a newer one. */
class EventRetentionTest {

    @Test
    void shouldStopAtTheFirstEventWithinTheRetention() {
        assertThat(EventRetention.lastOld(List.of(true, true, false, true))).contains(1);
        assertThat(EventRetention.lastOld(List.of(true, true))).contains(1);
        assertThat(EventRetention.lastOld(List.of(false, true))).isEmpty();
        assertThat(EventRetention.lastOld(List.of())).isEmpty();
    }
}
