package dev.mailsync.push;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

class ResponseFramerTest {

    @Test
    void shouldCutResponsesAtLineEndsWhateverTheChunks() {
        String stream = "* OK ready\r\n* 3 EXISTS\r\nw1 OK done\r\n";
        for (int size = 1; size <= stream.length(); size++) {
            assertThat(feedInChunks(new ResponseFramer(1024), stream, size))
                    .as("chunks of %d", size).containsExactly("* OK ready", "* 3 EXISTS", "w1 OK done");
        }
    }

    @Test
    void shouldKeepALiteralWithItsLineEndsInOneResponse() {
        String stream = "* 1 FETCH (UID 7 BODY[HEADER] {12}\r\nA: b\r\nC: d\r\n)\r\n* 2 EXPUNGE\r\n";
        for (int size = 1; size <= stream.length(); size++) {
            assertThat(feedInChunks(new ResponseFramer(1024), stream, size)).as("chunks of %d", size).containsExactly(
                    "* 1 FETCH (UID 7 BODY[HEADER] {12}\r\nA: b\r\nC: d\r\n)", "* 2 EXPUNGE");
        }
    }

    @Test
    void shouldTakeANonSynchronizingLiteralAndABareLineFeed() {
        assertThat(feedInChunks(new ResponseFramer(1024), "* 1 FETCH (X {2+}\r\n\r\n)\n+ idling\n", 3))
                .containsExactly("* 1 FETCH (X {2+}\r\n\r\n)", "+ idling");
    }

    @Test
    void shouldRefuseAResponseLongerThanTheLimit() {
        ResponseFramer framer = new ResponseFramer(16);
        assertThatThrownBy(() -> framer.feed("* OK this line never ends and grows".getBytes(StandardCharsets.ISO_8859_1)))
                .isInstanceOf(ResponseFramer.TooLong.class);
        assertThatThrownBy(() -> new ResponseFramer(64).feed("* 1 FETCH {100000}\r\n".getBytes(StandardCharsets.ISO_8859_1)))
                .isInstanceOf(ResponseFramer.TooLong.class);
    }

    private static List<String> feedInChunks(ResponseFramer framer, String stream, int size) {
        byte[] bytes = stream.getBytes(StandardCharsets.ISO_8859_1);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < bytes.length; i += size) {
            byte[] chunk = new byte[Math.min(size, bytes.length - i)];
            System.arraycopy(bytes, i, chunk, 0, chunk.length);
            out.addAll(framer.feed(chunk));
        }
        return out;
    }
}
