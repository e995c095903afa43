package dev.mailsync.oauth;

import java.util.UUID;

/** The mailbox's grant is gone (revoked, expired, password changed): only the user reconnecting helps. */
public class ReauthorizationRequired extends RuntimeException {

    private final UUID mailboxId;

    public ReauthorizationRequired(UUID mailboxId, String reason) {
        super(reason, null, false, false);
        this.mailboxId = mailboxId;
    }

    public UUID mailboxId() {
        return mailboxId;
    }
}
