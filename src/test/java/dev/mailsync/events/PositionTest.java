package dev.mailsync.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class PositionTest {

    @Test
    void shouldRoundTripAndOrderByTransactionThenId() {
        Position p = Position.parse("812-77");
        assertThat(p).isEqualTo(new Position(812, 77));
        assertThat(p.toString()).isEqualTo("812-77");
        assertThat(new Position(813, 1)).isGreaterThan(p);
        assertThat(new Position(812, 78)).isGreaterThan(p);
        assertThat(Position.START).isLessThan(p);
    }

    @ParameterizedTest
    @NullSource
    @ValueSource(strings = { "", "1", "1-", "-1-2", "1-2-3", "a-b", " 1-2", "1-2\n", "99999999999999999999-1",
            "9223372036854775808-1", "１-２" })
    void shouldRefuseAnythingElse(String value) {
        assertThatThrownBy(() -> Position.parse(value)).isInstanceOf(IllegalArgumentException.class);
    }
}
