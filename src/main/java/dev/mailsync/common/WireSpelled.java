package dev.mailsync.common;

import java.util.Arrays;
import java.util.stream.Collectors;

/** An enum constant with the spelling clients, servers or the database use for it. */
public interface WireSpelled {

    String wire();

    /** The constant of {@code type} spelled {@code value}; IllegalArgumentException for anything else (null too). */
    static <E extends Enum<E> & WireSpelled> E parse(Class<E> type, String value) {
        for (E constant : type.getEnumConstants()) {
            if (constant.wire().equals(value)) {
                return constant;
            }
        }
        throw new IllegalArgumentException("unknown " + type.getSimpleName() + ": " + value);
    }

    /** Every spelling of {@code type} as a regular-expression alternation, in declaration order. */
    static <E extends Enum<E> & WireSpelled> String alternation(Class<E> type) {
        return Arrays.stream(type.getEnumConstants()).map(WireSpelled::wire).collect(Collectors.joining("|"));
    }
}
