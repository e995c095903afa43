package dev.mailsync.events;

import java.util.List;
import java.util.UUID;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.extensions.Extension;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import dev.mailsync.common.openapi.ProblemResponses;
import dev.mailsync.common.problem.Problem.FieldError;
import dev.mailsync.common.problem.ProblemCode;
import dev.mailsync.common.problem.ProblemException;
import dev.mailsync.common.security.CurrentUser;
import dev.mailsync.mailbox.MailboxService;
import io.quarkus.security.Authenticated;

/**
 * The change feed of a mailbox, for frontends that poll: what changed since a {@code state} that {@code GET
 * .../messages}, {@code GET .../sync} or the previous call answered (JMAP {@code Email/changes}, RFC 8620 §5.2).
 */
@Path("/api/v1/mailboxes/{id}/changes")
@Produces(MediaType.APPLICATION_JSON)
@Authenticated
@Tag(name = "Changes")
public class ChangeResource {

    static final int DEFAULT_LIMIT = 500;
    static final int MAX_LIMIT = 5000;

    private final EventLog events;
    private final MailboxService mailboxes;
    private final CurrentUser user;

    public ChangeResource(EventLog events, MailboxService mailboxes, CurrentUser user) {
        this.events = events;
        this.mailboxes = mailboxes;
        this.user = user;
    }

    /**
     * The messages created, updated and destroyed since {@code since}, at most {@code limit} events at a time
     * ({@code hasMoreChanges}: call again from {@code newState}). An unchanged mailbox costs one read of the
     * {@code event_mailbox} index.
     */
    @GET
    @Operation(operationId = "getChanges", summary = "What changed in a mailbox since a state")
    @Extension(name = ProblemResponses.CODES, value = "validation_failed, not_found, cannot_calculate_changes")
    public Changes changes(@PathParam("id") UUID id, @QueryParam("since") String since,
            @QueryParam("limit") String limit) {
        Position from = parseSince(since);
        int size = parseLimit(limit);
        mailboxes.requireOwned(id, user.id());
        List<Event> read = events.afterInMailbox(id, from, size + 1);
        // the horizon is read after the events: retention deletes events and raises it in one transaction, so a
        // run between the two reads answers 410 rather than a list with a hole
        if (from.compareTo(events.horizon()) < 0) {
            throw new ProblemException(ProblemCode.CANNOT_CALCULATE_CHANGES, "The state " + from
                    + " is older than the kept changes: list the messages again and use the state they answer");
        }
        return Changes.of(from, read, size);
    }

    private static Position parseSince(String since) {
        if (since == null || since.isBlank()) {
            throw invalid("since", "is required: the state a list or the previous changes call answered");
        }
        try {
            return Position.parse(since);
        } catch (IllegalArgumentException e) {
            throw invalid("since", "is not a state this service answered");
        }
    }

    private static int parseLimit(String limit) {
        if (limit == null || limit.isBlank()) {
            return DEFAULT_LIMIT;
        }
        try {
            int n = Integer.parseInt(limit);
            if (n >= 1 && n <= MAX_LIMIT) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw invalid("limit", "must be a number from 1 to " + MAX_LIMIT);
    }

    private static ProblemException invalid(String field, String problem) {
        return ProblemException.invalid(List.of(new FieldError(field, problem)));
    }
}
