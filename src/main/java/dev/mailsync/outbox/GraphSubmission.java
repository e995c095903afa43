package dev.mailsync.outbox;

import jakarta.enterprise.context.ApplicationScoped;

import dev.mailsync.graph.GraphErrors;
import dev.mailsync.graph.GraphFailure;
import dev.mailsync.graph.GraphMail;
import dev.mailsync.graph.GraphTarget;
import dev.mailsync.graph.GraphTargets;
import dev.mailsync.oauth.GraphConsentMissing;

/** Microsoft Graph's MIME sendMail with the mailbox's Graph token; Graph files the copy in Sent Items itself. */
@ApplicationScoped
class GraphSubmission implements Submission {

    private final GraphTargets targets;
    private final GraphMail mail;

    GraphSubmission(GraphTargets targets, GraphMail mail) {
        this.targets = targets;
        this.mail = mail;
    }

    @Override
    public Transport transport() {
        return Transport.GRAPH;
    }

    @Override
    public String submit(OutboxStore.Pending pending) {
        return mail.send(pending.mailboxId(), target(pending), pending.mime());
    }

    @Override
    public boolean inSentFolder(OutboxStore.Pending pending) {
        try {
            return mail.inSentItems(pending.mailboxId(), target(pending), pending.messageId());
        } catch (GraphFailure e) {
            throw new ReconcileFailed("could not check Sent Items through Microsoft Graph for an interrupted "
                    + "attempt: " + e.getMessage(), e.retryAfter().orElse(null));
        }
    }

    /** The mailbox and its Graph token; a grant without Graph fails the item with {@code graph_consent_missing}. */
    private GraphTarget target(OutboxStore.Pending pending) {
        try {
            return targets.forMailbox(pending.mailboxId());
        } catch (GraphConsentMissing e) {
            throw GraphErrors.consentMissing(null);
        }
    }
}
