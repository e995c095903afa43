package dev.mailsync.mailbox;

import java.time.Instant;
import java.util.UUID;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * A mailbox as the API shows it (never a token), with a summary of its sync: {@code kind} {@code personal} or
 * {@code shared}, and for a shared one {@code via}, the mailbox whose grant reaches it.
 */
public record MailboxView(UUID id, String provider, MailboxKind kind,
        @Schema(description = "For a shared mailbox: the id of the mailbox whose grant reaches it; null otherwise",
                nullable = true) UUID via,
        String address, String displayName, String state, String stateReason, Instant createdAt, Instant updatedAt,
        SyncSummaries.Summary sync) {

    public static MailboxView from(Mailbox mailbox, SyncSummaries.Summary sync) {
        return new MailboxView(mailbox.id, mailbox.provider, mailbox.kind, mailbox.via, mailbox.address,
                mailbox.displayName, mailbox.state.name().toLowerCase(), mailbox.stateReason, mailbox.createdAt,
                mailbox.updatedAt, sync);
    }
}
