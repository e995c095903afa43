package dev.mailsync.outbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

class ReferenceActionTest {

    @Test
    void shouldKeepTheWireSpellingsClientsSendAndValidateThemAll() {
        assertThat(Arrays.stream(ReferenceAction.values()).map(ReferenceAction::wire))
                .containsExactly("reply", "replyAll", "forward");
        assertThat(ReferenceAction.PATTERN).isEqualTo(Arrays.stream(ReferenceAction.values())
                .map(ReferenceAction::wire).collect(Collectors.joining("|")));
        assertThat("Reply".matches(ReferenceAction.PATTERN)).isFalse();
    }

    @Test
    void shouldParseOnlyExactSpellings() {
        assertThat(ReferenceAction.fromWire("replyAll")).isEqualTo(ReferenceAction.REPLY_ALL);
        assertThat(ReferenceAction.fromWire("forward").isReply()).isFalse();
        assertThat(ReferenceAction.fromWire("reply").isReply()).isTrue();
        assertThatThrownBy(() -> ReferenceAction.fromWire("REPLY_ALL")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ReferenceAction.fromWire(null)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldReadTheValidatedActionOfAReference() {
        assertThat(new SendRequest.Reference("42", "forward").kind()).isEqualTo(ReferenceAction.FORWARD);
    }
}
