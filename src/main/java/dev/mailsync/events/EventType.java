package dev.mailsync.events;

import dev.mailsync.common.WireSpelled;

import com.fasterxml.jackson.annotation.JsonValue;

/** What happened, spelled as SSE, webhooks and the {@code event.type} column spell it. */
public enum EventType implements WireSpelled {
    MESSAGE_CREATED("message.created"),
    MESSAGE_UPDATED("message.updated"),
    MESSAGE_DELETED("message.deleted"),
    /** The mailbox's sync status changed (first sync done, an error appeared or cleared). */
    MAILBOX_SYNC("mailbox.sync"),
    MAILBOX_REAUTH_REQUIRED("mailbox.reauth_required"),
    OUTBOX_SENT("outbox.sent"),
    OUTBOX_FAILED("outbox.failed");

    private final String wire;

    EventType(String wire) {
        this.wire = wire;
    }

    @Override
    @JsonValue
    public String wire() {
        return wire;
    }

    /** A message created, updated or deleted: the change feed lists its id. */
    public boolean aboutMessage() {
        return this == MESSAGE_CREATED || this == MESSAGE_UPDATED || this == MESSAGE_DELETED;
    }

    /** The type so spelled; IllegalArgumentException for anything else. */
    public static EventType fromWire(String value) {
        return WireSpelled.parse(EventType.class, value);
    }
}
