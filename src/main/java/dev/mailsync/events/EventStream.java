package dev.mailsync.events;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * One open event stream of one user, from the fan-out's side: the newest position it has covered, and the live
 * events it holds while its client is not yet attached (during the backlog of a resume). Resuming is "join the
 * live fan-out first, then read the backlog": live events arriving meanwhile are held, and once the backlog is sent
 * only those after its last position follow, so nothing is lost and nothing sent twice. Pure and thread-safe: the
 * fan-out thread, the backlog reader and the heartbeat timer call it concurrently.
 */
final class EventStream {

    /** Where an attached stream's output goes (the HTTP response). */
    interface Sink {
        void send(Event event);

        void heartbeat();

        /** The client fell too far behind: end the stream (the client resumes with Last-Event-ID). */
        void overflow();

        /** The replica is stopping: end the stream. */
        void end();
    }

    private final String userId;
    private final int capacity;
    private final ArrayDeque<Event> held = new ArrayDeque<>();
    private Position last;
    private Sink sink;
    private boolean overflowed;
    private boolean ended;

    /** A stream that has covered everything up to {@code start}; it holds at most {@code capacity} live events. */
    EventStream(String userId, Position start, int capacity) {
        this.userId = userId;
        this.last = start;
        this.capacity = capacity;
    }

    String userId() {
        return userId;
    }

    /** The newest position this stream has covered (sent, or skipped as not announced). */
    synchronized Position last() {
        return last;
    }

    /** Whether the stream still runs (not ended, not dropped for slowness). */
    synchronized boolean open() {
        return !ended && !overflowed;
    }

    /** An announced event of this stream's user, from the fan-out, in position order. */
    synchronized void live(Event event) {
        if (!open()) {
            return;
        }
        if (sink == null) {
            if (held.size() >= capacity) {
                overflowed = true;
                held.clear();
            } else {
                held.add(event);
            }
        } else if (event.position().compareTo(last) > 0) {
            last = event.position();
            sink.send(event);
        }
    }

    /**
     * A page of this user's backlog read from the log, in position order: answers the events to send (announced,
     * not yet covered) and moves {@link #last()} past the whole page.
     */
    synchronized List<Event> backlog(List<Event> page) {
        List<Event> send = new ArrayList<>(page.size());
        for (Event event : page) {
            if (event.position().compareTo(last) > 0) {
                last = event.position();
                if (event.announce()) {
                    send.add(event);
                }
            }
        }
        return send;
    }

    /** The backlog is sent: the held live events not covered by it go out, and live events go out as they come. */
    synchronized void attach(Sink attached) {
        sink = attached;
        if (overflowed) {
            attached.overflow();
            return;
        }
        if (ended) {
            attached.end();
            return;
        }
        for (Event event : held) {
            if (event.position().compareTo(last) > 0) {
                last = event.position();
                attached.send(event);
            }
        }
        held.clear();
    }

    synchronized void heartbeat() {
        if (sink != null && open()) {
            sink.heartbeat();
        }
    }

    /** Ends the stream (at shutdown); a stream not yet attached ends when it attaches. */
    synchronized void end() {
        if (!open()) {
            return;
        }
        ended = true;
        held.clear();
        if (sink != null) {
            sink.end();
        }
    }
}
