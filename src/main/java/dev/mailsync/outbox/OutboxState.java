package dev.mailsync.outbox;

import dev.mailsync.common.WireSpelled;

import com.fasterxml.jackson.annotation.JsonValue;

/**
 * Where an outbox item stands, spelled as the API shows it and the {@code outbox.state} column holds it (its check
 * constraint lists the same four).
 */
public enum OutboxState implements WireSpelled {
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
    @Override
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
        return WireSpelled.parse(OutboxState.class, value);
    }

    @Override
    public String toString() {
        return wire;
    }
}
