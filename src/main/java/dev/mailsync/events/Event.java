package dev.mailsync.events;

import java.time.Instant;
import java.util.UUID;

/**
 * One row of the event log. {@code messageId} and {@code folder} are set for message events; {@code data} holds
 * the further fields of other events as a JSON object (or null). {@code announce} is false for events kept for the
 * change feed only (messages found by a folder's first fill), which SSE and webhooks do not send.
 */
public record Event(Position position, String userId, UUID mailboxId, EventType type, Long messageId, String folder,
        boolean announce, String data, Instant createdAt) {
}
