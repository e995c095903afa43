package dev.mailsync.mailbox;

import jakarta.persistence.AttributeConverter;
import jakarta.persistence.Converter;

import com.fasterxml.jackson.annotation.JsonValue;

import dev.mailsync.common.WireSpelled;

/**
 * Whose grant reaches a mailbox, spelled as the API shows it and the {@code mailbox.kind} column holds it (its check
 * constraint lists the same two).
 */
public enum MailboxKind implements WireSpelled {
    /** Connected with its own sign-in; holds its own tokens. */
    PERSONAL("personal"),
    /** Reached with the grant of another mailbox of the same user ({@code via}); has no tokens of its own. */
    SHARED("shared");

    private final String wire;

    MailboxKind(String wire) {
        this.wire = wire;
    }

    @Override
    @JsonValue
    public String wire() {
        return wire;
    }

    @Override
    public String toString() {
        return wire;
    }

    /** Stores the kind as its wire spelling. */
    @Converter
    public static class Column implements AttributeConverter<MailboxKind, String> {

        @Override
        public String convertToDatabaseColumn(MailboxKind kind) {
            return kind == null ? null : kind.wire;
        }

        @Override
        public MailboxKind convertToEntityAttribute(String value) {
            return value == null ? null : WireSpelled.parse(MailboxKind.class, value);
        }
    }
}
