package dev.mailsync.imap;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.LongStream;

import org.junit.jupiter.api.Test;

/** The UID sets the session sends ({@code UID FETCH}, {@code UID STORE}), encoded by Angus's {@code UIDSet}. */
class UidSetTest {

    @Test
    void shouldEncodeRunsAsRangesAndSinglesAlone() {
        assertThat(ImapSession.uidSet(List.of(1L, 2L, 3L, 7L, 9L, 10L))).isEqualTo("1:3,7,9:10");
        assertThat(ImapSession.uidSet(List.of(42L))).isEqualTo("42");
    }

    @Test
    void shouldSortAndDropDuplicatesFirst() {
        assertThat(ImapSession.uidSet(List.of(10L, 3L, 9L, 3L, 1L, 2L, 7L, 10L))).isEqualTo("1:3,7,9:10");
    }

    @Test
    void shouldEncodeLargeUidsAndLongRunsCompactly() {
        assertThat(ImapSession.uidSet(List.of(4_294_967_295L, 4_294_967_294L))).isEqualTo("4294967294:4294967295");
        assertThat(ImapSession.uidSet(LongStream.rangeClosed(1, 5000).boxed().toList())).isEqualTo("1:5000");
    }

    @Test
    void shouldEncodeNothingAsAnEmptySet() {
        assertThat(ImapSession.uidSet(List.of())).isEmpty();
    }
}
