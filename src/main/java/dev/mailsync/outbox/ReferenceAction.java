package dev.mailsync.outbox;

/** What a message does with the stored message it refers to, with the spelling clients send ({@code "action"}). */
public enum ReferenceAction {
    REPLY("reply"),
    REPLY_ALL("replyAll"),
    FORWARD("forward");

    /** Every wire spelling, for the request's {@code @Pattern} (an annotation needs a constant; a test checks it). */
    public static final String PATTERN = "reply|replyAll|forward";

    private final String wire;

    ReferenceAction(String wire) {
        this.wire = wire;
    }

    public String wire() {
        return wire;
    }

    /** The action a client named; IllegalArgumentException for anything else (the pattern refuses it first). */
    public static ReferenceAction fromWire(String value) {
        for (ReferenceAction action : values()) {
            if (action.wire.equals(value)) {
                return action;
            }
        }
        throw new IllegalArgumentException("not a reference action: " + value);
    }

    /** A reply (to the sender, or to all): recipients and threading headers come from the original. */
    public boolean isReply() {
        return this != FORWARD;
    }
}
