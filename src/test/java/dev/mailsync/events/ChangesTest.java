package dev.mailsync.events;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;

/** Folding events into JMAP-style changes: each message once, in the list its first and last events decide. */
class ChangesTest {

    private static final UUID MAILBOX = UUID.randomUUID();
    private static final Position SINCE = new Position(100, 7);

    private final List<Event> events = new ArrayList<>();

    @Test
    void shouldAnswerTheSameStateAndNothingWhenNothingHappened() {
        Changes changes = Changes.of(SINCE, List.of(), 10);

        assertThat(changes.oldState()).isEqualTo("100-7").isEqualTo(changes.newState());
        assertThat(changes.hasMoreChanges()).isFalse();
        assertThat(changes.created()).isEmpty();
        assertThat(changes.updated()).isEmpty();
        assertThat(changes.destroyed()).isEmpty();
    }

    @Test
    void shouldFoldEachMessagesEventsIntoOneList() {
        event(EventType.MESSAGE_CREATED, 1L); // created, updated: created
        event(EventType.MESSAGE_UPDATED, 1L);
        event(EventType.MESSAGE_CREATED, 2L); // created, deleted: neither
        event(EventType.MESSAGE_UPDATED, 3L); // updated twice: updated
        event(EventType.MESSAGE_DELETED, 2L);
        event(EventType.MESSAGE_UPDATED, 3L);
        event(EventType.MESSAGE_UPDATED, 4L); // updated, deleted: destroyed
        event(EventType.MESSAGE_DELETED, 4L);
        event(EventType.MESSAGE_DELETED, 5L); // deleted: destroyed
        event(EventType.MAILBOX_SYNC, null); // moves the state only

        Changes changes = Changes.of(SINCE, events, 10);

        assertThat(changes.created()).containsExactly("1");
        assertThat(changes.updated()).containsExactly("3");
        assertThat(changes.destroyed()).containsExactly("4", "5");
        assertThat(changes.newState()).isEqualTo(events.get(9).position().toString());
        assertThat(changes.hasMoreChanges()).isFalse();
    }

    @Test
    void shouldConsumeAtMostTheLimitAndSayThatMoreFollow() {
        event(EventType.MESSAGE_CREATED, 1L);
        event(EventType.MESSAGE_CREATED, 2L);
        event(EventType.MESSAGE_DELETED, 1L); // the one read to know that more follow: not consumed

        Changes changes = Changes.of(SINCE, events, 2);

        assertThat(changes.hasMoreChanges()).isTrue();
        assertThat(changes.created()).containsExactly("1", "2");
        assertThat(changes.destroyed()).isEmpty();
        assertThat(changes.newState()).isEqualTo(events.get(1).position().toString());

        Changes rest = Changes.of(Position.parse(changes.newState()), events.subList(2, 3), 2);
        assertThat(rest.destroyed()).containsExactly("1");
        assertThat(rest.hasMoreChanges()).isFalse();
    }

    @Test
    void shouldMoveTheStateForMailboxEventsAlone() {
        event(EventType.OUTBOX_SENT, null);

        Changes changes = Changes.of(SINCE, events, 5);

        assertThat(changes.newState()).isNotEqualTo(changes.oldState());
        assertThat(changes.created()).isEmpty();
        assertThat(changes.updated()).isEmpty();
        assertThat(changes.destroyed()).isEmpty();
    }

    private void event(EventType type, Long messageId) {
        Position p = new Position(101, 8 + events.size());
        events.add(new Event(p, "u", MAILBOX, type, messageId, messageId == null ? null : "INBOX", true, null,
                Instant.now()));
    }
}
