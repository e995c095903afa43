package dev.mailsync.message;

import dev.mailsync.common.WireSpelled;

/** What a batch request does to its messages, with the spelling clients send ({@code "action"}). */
public enum BatchAction implements WireSpelled {
    MARK_READ("markRead"),
    MARK_UNREAD("markUnread"),
    FLAG("flag"),
    UNFLAG("unflag"),
    MOVE("move"),
    DELETE("delete"),
    DELETE_PERMANENTLY("deletePermanently");

    /**
     * Every wire spelling, for the request's {@code @Pattern} (an annotation needs a constant; a test checks it
     * against the constants).
     */
    public static final String PATTERN = "markRead|markUnread|flag|unflag|move|delete|deletePermanently";
    public static final String PATTERN_MESSAGE =
            "must be markRead, markUnread, flag, unflag, move, delete or deletePermanently";

    private final String wire;

    BatchAction(String wire) {
        this.wire = wire;
    }

    /** The spelling in requests. */
    @Override
    public String wire() {
        return wire;
    }

    /** The action a client named; IllegalArgumentException for anything else (the request's pattern refuses it first). */
    public static BatchAction fromWire(String value) {
        return WireSpelled.parse(BatchAction.class, value);
    }

    /** {@link #PATTERN} as the constants spell it. */
    static String patternOfConstants() {
        return WireSpelled.alternation(BatchAction.class);
    }
}
