package dev.mailsync.outbox;

import com.fasterxml.jackson.annotation.JsonValue;

/** How an outbox item is handed to Microsoft: SMTP submission or Microsoft Graph's sendMail. */
public enum Transport {
    SMTP, GRAPH;

    /** The name in the API and the database. */
    @JsonValue
    public String wire() {
        return name().toLowerCase();
    }

    static Transport fromWire(String wire) {
        return wire == null ? null : valueOf(wire.toUpperCase());
    }
}
