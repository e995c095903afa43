package dev.mailsync.events;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;

import dev.mailsync.common.problem.ProblemCode;
import dev.mailsync.common.problem.ProblemException;

/**
 * The open event streams of this replica, by user, and the fan-out into them: {@link EventTail} hands over every
 * settled event in position order ({@link #publish}), and each announced one goes to its user's streams. The
 * position of the newest event handed over is where a new stream without {@code Last-Event-ID} starts; opening a
 * stream and publishing exclude each other, so a new stream misses nothing published after its start.
 */
@ApplicationScoped
public class EventStreams {

    private final EventsConfig config;
    private final Object publishing = new Object();
    private final Map<String, List<EventStream>> byUser = new ConcurrentHashMap<>();
    /** The newest position handed to {@link #publish}; guarded by {@link #publishing}. */
    private Position position;
    /** Guarded by {@link #publishing}. */
    private boolean stopping;

    public EventStreams(EventsConfig config) {
        this.config = config;
    }

    /** Where the fan-out starts: the newest settled position at start-up. */
    void startAt(Position start) {
        synchronized (publishing) {
            position = start;
        }
    }

    /**
     * A new stream of the user, receiving every announced event after {@code resumeFrom}, or (null) after the
     * newest event published so far. 429 {@code too_many_streams} over the per-user limit.
     */
    EventStream open(String userId, Position resumeFrom) {
        synchronized (publishing) {
            if (stopping || position == null) {
                throw ProblemException.retryAfter(ProblemCode.BUSY, "This replica is "
                        + (stopping ? "stopping" : "starting") + "; connect again shortly", config.retry());
            }
            EventStream stream = new EventStream(userId, resumeFrom != null ? resumeFrom : position,
                    config.buffer());
            byUser.compute(userId, (user, streams) -> {
                if (streams != null && streams.size() >= config.maxStreamsPerUser()) {
                    throw new ProblemException(ProblemCode.TOO_MANY_STREAMS, "At most "
                            + config.maxStreamsPerUser() + " event streams per user may be open at once; close one");
                }
                List<EventStream> more = streams == null ? new ArrayList<>() : new ArrayList<>(streams);
                more.add(stream);
                return List.copyOf(more);
            });
            return stream;
        }
    }

    /** Forgets a stream (closed by its client, dropped or ended); idempotent. */
    void close(EventStream stream) {
        byUser.computeIfPresent(stream.userId(), (user, streams) -> {
            List<EventStream> rest = streams.stream().filter(s -> s != stream).toList();
            return rest.isEmpty() ? null : rest;
        });
    }

    /** Settled events in position order, all users' and unannounced ones too (they move the position). */
    void publish(List<Event> events) {
        synchronized (publishing) {
            for (Event event : events) {
                position = event.position();
                if (event.announce()) {
                    byUser.getOrDefault(event.userId(), List.of()).forEach(stream -> stream.live(event));
                }
            }
        }
    }

    /** The newest position handed to {@link #publish} (or the start). */
    Position position() {
        synchronized (publishing) {
            return position;
        }
    }

    /** A heartbeat on every open stream. */
    void heartbeat() {
        byUser.values().forEach(streams -> streams.forEach(EventStream::heartbeat));
    }

    /** Ends every stream and refuses new ones: the replica is stopping. */
    void endAll() {
        synchronized (publishing) {
            stopping = true;
        }
        byUser.values().forEach(streams -> streams.forEach(EventStream::end));
    }

    /** Streams open on this replica. */
    int count() {
        return byUser.values().stream().mapToInt(List::size).sum();
    }
}
