package dev.mailsync.outbox;

/**
 * Why a submission failed: a stable {@code code}, a message safe to show (server replies, never credentials),
 * whether retrying cannot help ({@link #permanent}), and whether the server may nevertheless have accepted the
 * mail ({@link #ambiguous}: the connection broke after the message was transmitted), in which case the Sent
 * folder is checked before any retry. Made by the factories named after these three kinds.
 */
public class SmtpFailure extends RuntimeException {

    private final String code;
    private final boolean permanent;
    private final boolean ambiguous;

    private SmtpFailure(String code, String message, boolean permanent, boolean ambiguous) {
        super(message, null, false, false);
        this.code = code;
        this.permanent = permanent;
        this.ambiguous = ambiguous;
    }

    /** Retrying cannot help: the item fails. */
    public static SmtpFailure permanent(String code, String message) {
        return new SmtpFailure(code, message, true, false);
    }

    /** The server did not take the mail, and may later: the item is retried. */
    public static SmtpFailure retryable(String code, String message) {
        return new SmtpFailure(code, message, false, false);
    }

    /** The server may have taken the mail: the Sent folder is checked before any retry. */
    public static SmtpFailure ambiguous(String code, String message) {
        return new SmtpFailure(code, message, false, true);
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
