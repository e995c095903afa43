package dev.mailsync.sync;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import jakarta.mail.Flags;

import org.junit.jupiter.api.Test;

import dev.mailsync.imap.FolderSnapshot;
import dev.mailsync.imap.ServerMessage;
import dev.mailsync.message.MessageFlags;

/** The pure decisions of a folder pass, without a server or a database. */
class SyncPlanTest {

    private static final Instant NOW = Instant.parse("2026-06-01T12:00:00Z");
    private static final MessageFlags UNREAD = new MessageFlags(false, false, false, false, false, List.of());
    private static final MessageFlags READ = new MessageFlags(true, false, false, false, false, List.of());

    @Test
    void shouldFetchNewMessagesNewestFirstAndFindFlagChangesAndDeletions() {
        Map<Long, MessageFlags> stored = Map.of(1L, UNREAD, 2L, UNREAD, 3L, READ);
        List<ServerMessage> server = List.of(message(2, true), message(3, true), message(5, false),
                message(4, false));

        SyncPlan plan = SyncPlan.plan(stored, server, null);

        assertThat(plan.toFetch()).extracting(ServerMessage::uid).containsExactly(5L, 4L);
        assertThat(plan.flagChanges()).containsExactly(Map.entry(2L, READ));
        assertThat(plan.toDelete()).containsExactly(1L);
    }

    @Test
    void shouldFetchOnlyMessagesInsideTheWindowButStillDeleteAndUpdateOthers() {
        Map<Long, MessageFlags> stored = Map.of(1L, UNREAD, 9L, UNREAD);
        List<ServerMessage> server = List.of(message(1, true), message(2, false), message(3, false));

        SyncPlan plan = SyncPlan.plan(stored, server, Set.of(3L));

        assertThat(plan.toFetch()).extracting(ServerMessage::uid).containsExactly(3L);
        assertThat(plan.flagChanges()).containsOnlyKeys(1L);
        assertThat(plan.toDelete()).containsExactly(9L);
    }

    @Test
    void shouldCutBatchesByCountAndBytesKeepingOrder() {
        List<ServerMessage> messages = List.of(sized(1, 10), sized(2, 10), sized(3, 10), sized(4, 50), sized(5, 1));

        List<List<ServerMessage>> batches = SyncPlan.batches(messages, 2, 40);

        assertThat(batches).extracting(b -> b.stream().map(ServerMessage::uid).toList())
                .containsExactly(List.of(1L, 2L), List.of(3L), List.of(4L), List.of(5L));
    }

    @Test
    void shouldStartAFirstPassWithTheInitialWindow() {
        SyncPlan.Start start = SyncPlan.start(null, null, null, snapshot(7, 0), false, Optional.of(Duration.ofDays(30)),
                NOW);

        assertThat(start.unchanged()).isFalse();
        assertThat(start.newValidity()).isTrue();
        assertThat(start.window()).isEqualTo(NOW.minus(Duration.ofDays(30)));
    }

    @Test
    void shouldKeepTheWindowChosenAtTheFirstPass() {
        Instant chosen = Instant.parse("2026-01-01T00:00:00Z");

        SyncPlan.Start start = SyncPlan.start(7L, null, chosen, snapshot(7, 0), false, Optional.of(Duration.ofDays(1)),
                NOW);

        assertThat(start.newValidity()).isFalse();
        assertThat(start.window()).isEqualTo(chosen);
    }

    @Test
    void shouldResyncWhenUidValidityChangedWithoutApplyingTheInitialWindowAgain() {
        SyncPlan.Start start = SyncPlan.start(7L, 100L, null, snapshot(8, 100), true, Optional.of(Duration.ofDays(1)),
                NOW);

        assertThat(start.unchanged()).isFalse();
        assertThat(start.newValidity()).isTrue();
        assertThat(start.window()).isNull();
    }

    @Test
    void shouldSkipAFolderWhoseHighestModseqDidNotMoveOnlyWithCondstore() {
        assertThat(SyncPlan.start(7L, 100L, null, snapshot(7, 100), true, Optional.empty(), NOW).unchanged()).isTrue();
        assertThat(SyncPlan.start(7L, 100L, null, snapshot(7, 101), true, Optional.empty(), NOW).unchanged()).isFalse();
        assertThat(SyncPlan.start(7L, 100L, null, snapshot(7, 100), false, Optional.empty(), NOW).unchanged())
                .isFalse();
        assertThat(SyncPlan.start(7L, null, null, snapshot(7, 100), true, Optional.empty(), NOW).unchanged()).isFalse();
    }

    @Test
    void shouldReplaceInternalDatesOutsideTheStorableYearsAndClampSizes() {
        Instant fine = Instant.parse("2020-02-02T00:00:00Z");
        assertThat(SyncPlan.internalDate(fine)).isEqualTo(fine);
        assertThat(SyncPlan.internalDate(Instant.parse("1800-01-01T00:00:00Z"))).isAfter(fine);
        assertThat(SyncPlan.internalDate(null)).isAfter(fine);
        assertThat(SyncPlan.size(-5)).isZero();
        assertThat(SyncPlan.size(5_000_000_000L)).isEqualTo(Integer.MAX_VALUE);
    }

    private static ServerMessage message(long uid, boolean seen) {
        return new ServerMessage(uid, seen ? new Flags(Flags.Flag.SEEN) : new Flags(), 100);
    }

    private static ServerMessage sized(long uid, long size) {
        return new ServerMessage(uid, new Flags(), size);
    }

    private static FolderSnapshot snapshot(long uidValidity, long highestModseq) {
        return new FolderSnapshot(uidValidity, 10, 3, highestModseq);
    }
}
