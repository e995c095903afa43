package dev.mailsync.events;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;

/** One stream's resume logic: live events held during the backlog, sent once, in order, within a bound. */
class EventStreamTest {

    static final UUID MAILBOX = UUID.randomUUID();

    @Test
    void shouldSendHeldLiveEventsAfterTheBacklogWithoutRepeatingAny() {
        EventStream stream = new EventStream("u", new Position(10, 1), 10);
        // live events arrive while the backlog is read: some of them the backlog contains too
        stream.live(event(12, 3));
        stream.live(event(13, 4));

        assertThat(stream.backlog(List.of(event(11, 2), event(12, 3)))).extracting(EventStreamTest::id)
                .containsExactly("11-2", "12-3");
        assertThat(stream.backlog(List.of(event(13, 4)))).extracting(EventStreamTest::id).containsExactly("13-4");
        RecordingSink sink = new RecordingSink();
        stream.attach(sink);
        stream.live(event(14, 5));

        assertThat(sink.sent).containsExactly("14-5");
        assertThat(stream.last()).isEqualTo(new Position(14, 5));
    }

    @Test
    void shouldSendHeldEventsTheBacklogDidNotReach() {
        EventStream stream = new EventStream("u", new Position(10, 1), 10);
        stream.live(event(12, 3)); // settled after the backlog's read
        stream.backlog(List.of(event(11, 2)));
        RecordingSink sink = new RecordingSink();

        stream.attach(sink);

        assertThat(sink.sent).containsExactly("12-3");
    }

    @Test
    void shouldSkipUnannouncedEventsOfTheBacklogButMovePastThem() {
        EventStream stream = new EventStream("u", new Position(10, 1), 10);

        List<Event> sent = stream.backlog(List.of(event(11, 2), unannounced(11, 3), event(11, 4)));

        assertThat(sent).extracting(EventStreamTest::id).containsExactly("11-2", "11-4");
        assertThat(stream.last()).isEqualTo(new Position(11, 4));
        assertThat(stream.backlog(List.of(event(11, 4)))).isEmpty();
    }

    @Test
    void shouldEndAStreamWhoseClientFellTooFarBehindInsteadOfHoldingMore() {
        EventStream stream = new EventStream("u", Position.START, 2);
        stream.live(event(1, 1));
        stream.live(event(1, 2));
        stream.live(event(1, 3));
        RecordingSink sink = new RecordingSink();

        stream.attach(sink);
        stream.live(event(1, 4));
        stream.heartbeat();

        assertThat(sink.sent).isEmpty();
        assertThat(sink.calls).containsExactly("overflow");
        assertThat(stream.open()).isFalse();
    }

    @Test
    void shouldEndAStreamAtShutdownEvenBeforeItAttached() {
        EventStream stream = new EventStream("u", Position.START, 2);
        stream.live(event(1, 1));
        stream.end();
        RecordingSink sink = new RecordingSink();

        stream.attach(sink);
        stream.live(event(1, 2));

        assertThat(sink.calls).containsExactly("end");

        EventStream attached = new EventStream("u", Position.START, 2);
        RecordingSink other = new RecordingSink();
        attached.attach(other);
        attached.heartbeat();
        attached.end();
        attached.end();
        assertThat(other.calls).containsExactly("heartbeat", "end");
    }

    static Event event(long tx, long id) {
        return new Event(new Position(tx, id), "u", MAILBOX, EventType.MESSAGE_CREATED, id, "INBOX", true, null,
                Instant.now());
    }

    static Event unannounced(long tx, long id) {
        return new Event(new Position(tx, id), "u", MAILBOX, EventType.MESSAGE_CREATED, id, "INBOX", false, null,
                Instant.now());
    }

    static String id(Event event) {
        return event.position().toString();
    }

    /** What a stream wrote to its client. */
    static final class RecordingSink implements EventStream.Sink {
        final List<String> sent = new ArrayList<>();
        final List<String> calls = new ArrayList<>();

        @Override
        public void send(Event event) {
            sent.add(id(event));
            calls.add("send " + id(event));
        }

        @Override
        public void heartbeat() {
            calls.add("heartbeat");
        }

        @Override
        public void overflow() {
            calls.add("overflow");
        }

        @Override
        public void end() {
            calls.add("end");
        }
    }
}
