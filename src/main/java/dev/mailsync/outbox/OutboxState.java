package dev.mailsync.outbox;

import com.fasterxml.jackson.annotation.JsonValue;

/**
 * Where an outbox item stands, spelled as the API shows it and the {@code outbox.state} column holds it (its check
 * constraint lists the same four).
 */
public enum OutboxState {
    /** Waiting for its (next) attempt. */
    QUEUED("queued"),
    /** Claimed by a replica holding the lease. */
    SENDING("sending"),
    SENT("sent"),
    /** Retrying cannot help; its user may queue it again. */
    FAILED("failed");

    private final String wire;

    OutboxState(String wire) {
        this.wire = wire;
    }

    /** The spelling in JSON, in the {@code state} query parameter and in the database. */
    @JsonValue
    public String wire() {
        return wire;
    }

    /** Not yet sent or given up: an attempt is due or under way. */
    public boolean waiting() {
        return this == QUEUED || this == SENDING;
    }

    /** The state so spelled; IllegalArgumentException for anything else. */
    public static OutboxState fromWire(String value) {
        for (OutboxState state : values()) {
            if (state.wire.equals(value)) {
                return state;
            }
        }
        throw new IllegalArgumentException("unknown outbox state");
    }

    @Override
    public String toString() {
        return wire;
    }
}
