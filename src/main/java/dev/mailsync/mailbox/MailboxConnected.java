package dev.mailsync.mailbox;

import java.util.UUID;

/** Fired (inside the connecting transaction) when a mailbox is connected or re-linked. */
public record MailboxConnected(UUID mailboxId) {
}
