package dev.mailsync.outbox;

/**
 * Why a submission failed: a stable {@code code}, a message safe to show (server replies, never credentials),
 * whether retrying cannot help ({@code permanent}), and whether the server may nevertheless have accepted the
 * mail ({@code ambiguous}: the connection broke after the message was transmitted), in which case the Sent
 * folder is checked before any retry.
 */
public class SmtpFailure extends RuntimeException {

    private final String code;
    private final boolean permanent;
    private final boolean ambiguous;

    public SmtpFailure(String code, String message, boolean permanent, boolean ambiguous) {
        super(message, null, false, false);
        this.code = code;
        this.permanent = permanent;
        this.ambiguous = ambiguous;
    }

    public String code() {
        return code;
    }

    public boolean permanent() {
        return permanent;
    }

    public boolean ambiguous() {
        return ambiguous;
    }
}
