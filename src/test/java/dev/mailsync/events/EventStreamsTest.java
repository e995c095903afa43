package dev.mailsync.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.mailsync.common.problem.ProblemCode;
import dev.mailsync.common.problem.ProblemException;
import dev.mailsync.events.EventStreamTest.RecordingSink;

/** The fan-out: events to their user's streams only, where new streams start, the per-user limit, shutdown. */
class EventStreamsTest {

    EventStreams streams = new EventStreams(new EventsConfig() {
        @Override
        public Duration heartbeat() {
            return Duration.ofSeconds(15);
        }

        @Override
        public int maxStreamsPerUser() {
            return 2;
        }

        @Override
        public int buffer() {
            return 10;
        }

        @Override
        public Duration retry() {
            return Duration.ofSeconds(3);
        }

        @Override
        public Duration poll() {
            return Duration.ofSeconds(5);
        }
    });

    @BeforeEach
    void start() {
        streams.startAt(new Position(5, 5));
    }

    @Test
    void shouldSendEachAnnouncedEventToItsUsersStreamsOnly() {
        RecordingSink alice1 = attach(streams.open("alice", null));
        RecordingSink alice2 = attach(streams.open("alice", null));
        RecordingSink bob = attach(streams.open("bob", null));

        streams.publish(List.of(event("alice", 6, 1, true), event("bob", 6, 2, true), event("alice", 7, 3, false),
                event("alice", 7, 4, true)));

        assertThat(alice1.sent).containsExactly("6-1", "7-4");
        assertThat(alice2.sent).containsExactly("6-1", "7-4");
        assertThat(bob.sent).containsExactly("6-2");
        assertThat(streams.position()).isEqualTo(new Position(7, 4));
    }

    @Test
    void shouldStartANewStreamAfterTheNewestPublishedEventAndAResumedOneWhereAsked() {
        streams.publish(List.of(event("alice", 6, 1, true)));

        EventStream fresh = streams.open("alice", null);
        EventStream resumed = streams.open("bob", new Position(3, 3));

        assertThat(fresh.last()).isEqualTo(new Position(6, 1));
        assertThat(resumed.last()).isEqualTo(new Position(3, 3));
    }

    @Test
    void shouldLimitTheStreamsOfOneUserUntilOneCloses() {
        EventStream first = streams.open("alice", null);
        streams.open("alice", null);

        assertThatThrownBy(() -> streams.open("alice", null)).isInstanceOfSatisfying(ProblemException.class,
                e -> assertThat(e.problemCode()).isEqualTo(ProblemCode.TOO_MANY_STREAMS));
        assertThat(streams.open("bob", null)).isNotNull();
        assertThat(streams.count()).isEqualTo(3);

        streams.close(first);
        streams.close(first);

        assertThat(streams.open("alice", null)).isNotNull();
        assertThat(streams.count()).isEqualTo(3);
    }

    @Test
    void shouldEndEveryStreamAndRefuseNewOnesWhenStopping() {
        RecordingSink alice = attach(streams.open("alice", null));
        EventStream notYetAttached = streams.open("bob", new Position(1, 1));

        streams.endAll();

        assertThat(alice.calls).containsExactly("end");
        assertThat(notYetAttached.open()).isFalse();
        assertThatThrownBy(() -> streams.open("carol", null)).isInstanceOfSatisfying(ProblemException.class,
                e -> assertThat(e.problemCode()).isEqualTo(ProblemCode.BUSY));
    }

    @Test
    void shouldSendHeartbeatsToAttachedStreams() {
        RecordingSink alice = attach(streams.open("alice", null));
        streams.open("bob", null); // not attached yet: nothing to write to

        streams.heartbeat();

        assertThat(alice.calls).containsExactly("heartbeat");
    }

    private static RecordingSink attach(EventStream stream) {
        RecordingSink sink = new RecordingSink();
        stream.attach(sink);
        return sink;
    }

    private static Event event(String user, long tx, long id, boolean announce) {
        return new Event(new Position(tx, id), user, EventStreamTest.MAILBOX, EventType.MESSAGE_UPDATED, id, "INBOX",
                announce, null, Instant.now());
    }
}
