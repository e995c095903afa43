package dev.mailsync.outbox;

import java.time.Instant;
import java.util.List;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import com.fasterxml.jackson.annotation.JsonInclude;

import dev.mailsync.message.EmailAddress;

/**
 * A message in the outbox as the API shows it; {@code transport} is the one its last attempt used ({@code smtp} or
 * {@code graph}; absent before an attempt reached one).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record OutboxItem(String id, OutboxState state, String messageId, String subject, List<EmailAddress> to,
        List<EmailAddress> cc, List<EmailAddress> bcc, int size, int attempts, Instant nextAttemptAt,
        Error lastError, Instant createdAt, Instant sentAt, Transport transport) {

    /** Why the last attempt failed. */
    @Schema(name = "OutboxError")
    public record Error(String code, String message) {
    }

    /** The answer to a POST: where the message stands right after it was accepted. */
    @Schema(name = "OutboxAccepted")
    public record Accepted(String id, OutboxState state) {
    }
}
