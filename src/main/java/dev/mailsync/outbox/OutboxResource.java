package dev.mailsync.outbox;

import java.net.URI;
import java.util.List;
import java.util.UUID;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.extensions.Extension;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import dev.mailsync.common.openapi.ProblemResponses;
import dev.mailsync.common.problem.Problem.FieldError;
import dev.mailsync.common.problem.ProblemCode;
import dev.mailsync.common.problem.ProblemException;
import dev.mailsync.common.problem.QueryParams;
import dev.mailsync.common.ratelimit.RateLimits;
import dev.mailsync.common.security.CurrentUser;
import dev.mailsync.mailbox.MailboxService;
import dev.mailsync.message.MessageViews.Page;
import io.quarkus.security.Authenticated;

/** Mail to send from one of the caller's mailboxes, and where each message stands. */
@Path("/api/v1/mailboxes/{id}/outbox")
@Produces(MediaType.APPLICATION_JSON)
@Authenticated
@Tag(name = "Outbox")
public class OutboxResource {

    private static final String KEY_PATTERN = "[\\x21-\\x7e]{1,255}";

    private final OutboxService outbox;
    private final OutboxStore store;
    private final MailboxService mailboxes;
    private final CurrentUser user;
    private final RateLimits limits;

    public OutboxResource(OutboxService outbox, OutboxStore store, MailboxService mailboxes, CurrentUser user,
            RateLimits limits) {
        this.outbox = outbox;
        this.store = store;
        this.mailboxes = mailboxes;
        this.user = user;
        this.limits = limits;
    }

    /**
     * Queues a message (202). With an {@code Idempotency-Key}, a repeat of the same request answers the first
     * item (header {@code Idempotent-Replayed: true}) and nothing is sent twice; the same key with a different
     * message is refused (422).
     */
    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(operationId = "sendMessage", summary = "Queue a message to send")
    @APIResponse(responseCode = "202", description = "Queued (or, with a repeated Idempotency-Key, the first item: "
            + "header Idempotent-Replayed: true); Location names the outbox item",
            content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(implementation = OutboxItem.Accepted.class)))
    @Extension(name = ProblemResponses.CODES, value = "not_found, rate_limited, mailbox_not_active, "
            + "idempotency_key_reused, sending_busy")
    public Response send(@PathParam("id") UUID id, @HeaderParam("Idempotency-Key") String idempotencyKey,
            @NotNull @Valid SendRequest request) {
        limits.send(user.id());
        if (idempotencyKey != null && !idempotencyKey.matches(KEY_PATTERN)) {
            throw ProblemException.invalid(List.of(new FieldError("Idempotency-Key",
                    "must be 1 to 255 printable ASCII characters")));
        }
        OutboxService.Enqueued result = outbox.enqueue(id, user.id(), idempotencyKey, request);
        Response.ResponseBuilder response = Response.accepted(result.accepted())
                .location(URI.create("/api/v1/mailboxes/" + id + "/outbox/" + result.accepted().id()));
        if (result.replayed()) {
            response.header("Idempotent-Replayed", "true");
        }
        return response.build();
    }

    /** Newest first; {@code state} filters; {@code limit} 1–200 (50); {@code cursor} from {@code nextCursor}. */
    @GET
    @Operation(operationId = "listOutbox", summary = "List a mailbox's outbox, newest first")
    @Extension(name = ProblemResponses.CODES, value = "not_found")
    public Page<OutboxItem> list(@PathParam("id") UUID id, @QueryParam("state") String state,
            @QueryParam("limit") String limit, @QueryParam("cursor") String cursor) {
        mailboxes.requireOwned(id, user.id());
        QueryParams p = new QueryParams();
        OutboxState validState = p.parse("state", state, OutboxState::fromWire, "must be queued, sending, sent or failed");
        int size = p.limit(limit);
        OutboxCursor after = p.parse("cursor", cursor, OutboxCursor::decode, "is not a cursor from a previous page");
        p.check();
        List<OutboxItem> items = store.list(id, validState, after, size);
        OutboxItem last = items.size() == size ? items.get(items.size() - 1) : null;
        return new Page<>(items, last == null ? null : OutboxCursor.after(last).encode());
    }

    @GET
    @Path("/{sendId}")
    @Operation(operationId = "getOutboxItem", summary = "Get an outbox item")
    @Extension(name = ProblemResponses.CODES, value = "not_found")
    public OutboxItem get(@PathParam("id") UUID id, @PathParam("sendId") UUID sendId) {
        mailboxes.requireOwned(id, user.id());
        return store.get(id, sendId).orElseThrow(() -> ProblemException.notFound("Outbox item " + sendId));
    }

    /** Queues a failed item again, with a fresh count of attempts. */
    @POST
    @Path("/{sendId}/retry")
    @Operation(operationId = "retryOutboxItem", summary = "Queue a failed message again")
    @APIResponse(responseCode = "202", description = "Queued again", content = @Content(
            mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = OutboxItem.Accepted.class)))
    @Extension(name = ProblemResponses.CODES, value = "not_found, rate_limited, not_failed")
    public Response retry(@PathParam("id") UUID id, @PathParam("sendId") UUID sendId) {
        limits.send(user.id());
        OutboxItem item = get(id, sendId);
        if (!store.requeue(id, sendId)) {
            throw new ProblemException(ProblemCode.NOT_FAILED, "This message is " + item.state().wire());
        }
        return Response.accepted(new OutboxItem.Accepted(item.id(), OutboxState.QUEUED)).build();
    }

    /** Withdraws a message that no attempt has touched yet. */
    @DELETE
    @Path("/{sendId}")
    @Operation(operationId = "cancelOutboxItem", summary = "Withdraw a message no attempt has touched")
    @APIResponse(responseCode = "204", description = "Withdrawn; it will not be sent")
    @Extension(name = ProblemResponses.CODES, value = "not_found, already_attempted")
    public Response cancel(@PathParam("id") UUID id, @PathParam("sendId") UUID sendId) {
        OutboxItem item = get(id, sendId);
        if (!store.cancel(id, sendId)) {
            throw new ProblemException(ProblemCode.ALREADY_ATTEMPTED,
                    "This message is " + item.state().wire() + " and may have reached the mail server");
        }
        return Response.noContent().build();
    }
}
