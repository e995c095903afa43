package dev.mailsync.mailbox;

import java.time.Instant;
import java.util.UUID;

/** A mailbox as the API shows it (never a token), with a summary of its sync. */
public record MailboxView(UUID id, String provider, String address, String displayName, String state,
        String stateReason, Instant createdAt, Instant updatedAt, SyncSummaries.Summary sync) {

    public static MailboxView from(Mailbox mailbox, SyncSummaries.Summary sync) {
        return new MailboxView(mailbox.id, mailbox.provider, mailbox.address, mailbox.displayName,
                mailbox.state.name().toLowerCase(), mailbox.stateReason, mailbox.createdAt, mailbox.updatedAt, sync);
    }
}
