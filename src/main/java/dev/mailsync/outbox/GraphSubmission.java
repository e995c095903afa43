package dev.mailsync.outbox;

import jakarta.enterprise.context.ApplicationScoped;

import dev.mailsync.graph.GraphFailure;
import dev.mailsync.graph.GraphMail;
import dev.mailsync.graph.GraphTargets;

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
        return mail.send(pending.mailboxId(), targets.forMailbox(pending.mailboxId()), pending.mime());
    }

    @Override
    public boolean inSentFolder(OutboxStore.Pending pending) {
        try {
            return mail.inSentItems(pending.mailboxId(), targets.forMailbox(pending.mailboxId()),
                    pending.messageId());
        } catch (GraphFailure e) {
            throw new ReconcileFailed("could not check Sent Items through Microsoft Graph for an interrupted "
                    + "attempt: " + e.getMessage(), e.retryAfter().orElse(null));
        }
    }
}
