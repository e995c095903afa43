package dev.mailsync.outbox;

import dev.mailsync.common.WireSpelled;

/** What a message does with the stored message it refers to, with the spelling clients send ({@code "action"}). */
public enum ReferenceAction implements WireSpelled {
    REPLY("reply"),
    REPLY_ALL("replyAll"),
    FORWARD("forward");

    /** Every wire spelling, for the request's {@code @Pattern} (an annotation needs a constant; a test checks it). */
    public static final String PATTERN = "reply|replyAll|forward";

    private final String wire;

    ReferenceAction(String wire) {
        this.wire = wire;
    }

    @Override
    public String wire() {
        return wire;
    }

    /** The action a client named; IllegalArgumentException for anything else (the pattern refuses it first). */
    public static ReferenceAction fromWire(String value) {
        return WireSpelled.parse(ReferenceAction.class, value);
    }

    /** A reply (to the sender, or to all): recipients and threading headers come from the original. */
    public boolean isReply() {
        return this != FORWARD;
    }
}
