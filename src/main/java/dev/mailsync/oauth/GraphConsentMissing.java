package dev.mailsync.oauth;

import java.util.UUID;

import dev.mailsync.common.problem.ProblemCode;
import dev.mailsync.common.problem.ProblemException;

/**
 * The mailbox's grant does not include Microsoft Graph (connected before mailsync asked for it, or the consent
 * was narrowed): it keeps working over IMAP and SMTP, and reconnecting it adds the Graph permissions.
 */
public class GraphConsentMissing extends RuntimeException {

    private final UUID mailboxId;

    public GraphConsentMissing(UUID mailboxId) {
        super("This mailbox's Microsoft sign-in does not include the Microsoft Graph permissions: reconnect it to "
                + "grant them", null, false, false);
        this.mailboxId = mailboxId;
    }

    public UUID mailboxId() {
        return mailboxId;
    }

    /** The API's answer: 409 {@code graph_consent_missing}. */
    public ProblemException problem() {
        return new ProblemException(ProblemCode.GRAPH_CONSENT_MISSING, getMessage());
    }
}
