package dev.mailsync.events;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A place in the event log: the writing transaction and the row id, in the order readers consume events (see
 * V10__events.sql). Spelled {@code "<tx>-<id>"}: a mailbox's change-feed {@code state} and an SSE event id; clients
 * treat it as opaque.
 */
public record Position(long tx, long id) implements Comparable<Position> {

    /** Before every event. */
    public static final Position START = new Position(0, 0);

    private static final Pattern SPELLING = Pattern.compile("(\\d{1,19})-(\\d{1,19})");

    public Position {
        if (tx < 0 || id < 0) {
            throw new IllegalArgumentException("negative position");
        }
    }

    /** The position spelled {@code value}; IllegalArgumentException for anything else (null too). */
    public static Position parse(String value) {
        Matcher m = value == null ? null : SPELLING.matcher(value);
        if (m == null || !m.matches()) {
            throw new IllegalArgumentException("not a position: " + value);
        }
        try {
            return new Position(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a position: " + value, e);
        }
    }

    @Override
    public int compareTo(Position other) {
        int byTx = Long.compare(tx, other.tx);
        return byTx != 0 ? byTx : Long.compare(id, other.id);
    }

    @Override
    public String toString() {
        return tx + "-" + id;
    }
}
