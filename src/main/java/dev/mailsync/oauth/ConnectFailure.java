package dev.mailsync.oauth;

/** Why a connect flow ended without a mailbox: a stable code for the frontend and a sentence for the user. */
public class ConnectFailure extends RuntimeException {

    private final String code;

    public ConnectFailure(String code, String message) {
        super(message, null, false, false);
        this.code = code;
    }

    public String code() {
        return code;
    }
}
