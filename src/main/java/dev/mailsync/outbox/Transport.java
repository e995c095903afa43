package dev.mailsync.outbox;

import com.fasterxml.jackson.annotation.JsonValue;

import dev.mailsync.common.WireSpelled;

/**
 * How an outbox item is handed to Microsoft, spelled as the API shows it and the {@code outbox.transport} column
 * holds it.
 */
public enum Transport implements WireSpelled {
    /** SMTP submission with XOAUTH2. */
    SMTP("smtp"),
    /** Microsoft Graph's MIME sendMail. */
    GRAPH("graph");

    private final String wire;

    Transport(String wire) {
        this.wire = wire;
    }

    @Override
    @JsonValue
    public String wire() {
        return wire;
    }

    /** The transport so spelled; null for null. */
    static Transport fromWire(String value) {
        return value == null ? null : WireSpelled.parse(Transport.class, value);
    }

    @Override
    public String toString() {
        return wire;
    }
}
