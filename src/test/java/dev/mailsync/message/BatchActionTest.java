package dev.mailsync.message;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;

import org.junit.jupiter.api.Test;

class BatchActionTest {

    @Test
    void shouldKeepTheWireSpellingsClientsSend() {
        assertThat(Arrays.stream(BatchAction.values()).map(BatchAction::wire)).containsExactly("markRead",
                "markUnread", "flag", "unflag", "move", "delete", "deletePermanently");
    }

    @Test
    void shouldValidateRequestsWithThePatternOfEveryConstant() {
        assertThat(BatchAction.PATTERN).isEqualTo(BatchAction.patternOfConstants());
        for (BatchAction action : BatchAction.values()) {
            assertThat(action.wire().matches(BatchAction.PATTERN)).as(action.wire()).isTrue();
            assertThat(BatchAction.PATTERN_MESSAGE).contains(action.wire());
        }
        assertThat("explode".matches(BatchAction.PATTERN)).isFalse();
        assertThat("DELETE".matches(BatchAction.PATTERN)).isFalse();
    }

    @Test
    void shouldParseOnlyExactSpellings() {
        assertThat(BatchAction.fromWire("deletePermanently")).isEqualTo(BatchAction.DELETE_PERMANENTLY);
        assertThat(BatchAction.fromWire("markRead")).isEqualTo(BatchAction.MARK_READ);
        // an unknown action no longer falls through to a permanent delete
        assertThatThrownBy(() -> BatchAction.fromWire("explode")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> BatchAction.fromWire("MARK_READ")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> BatchAction.fromWire(null)).isInstanceOf(IllegalArgumentException.class);
    }
}
