package dev.mailsync.sync;

import java.util.UUID;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.extensions.Extension;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import dev.mailsync.common.openapi.ProblemResponses;
import dev.mailsync.common.ratelimit.RateLimits;
import dev.mailsync.common.security.CurrentUser;
import dev.mailsync.events.EventLog;
import dev.mailsync.mailbox.MailboxService;
import io.quarkus.security.Authenticated;

@Path("/api/v1/mailboxes/{id}/sync")
@Produces(MediaType.APPLICATION_JSON)
@Authenticated
@Tag(name = "Sync")
public class SyncResource {

    private final MailboxService mailboxes;
    private final SyncStatusRepository statuses;
    private final SyncLeases leases;
    private final SyncScheduler scheduler;
    private final CurrentUser user;
    private final RateLimits limits;
    private final EventLog events;

    public SyncResource(MailboxService mailboxes, SyncStatusRepository statuses, SyncLeases leases,
            SyncScheduler scheduler, CurrentUser user, RateLimits limits, EventLog events) {
        this.mailboxes = mailboxes;
        this.statuses = statuses;
        this.leases = leases;
        this.scheduler = scheduler;
        this.user = user;
        this.limits = limits;
        this.events = events;
    }

    /** The mailbox's sync state, for polling frontends. */
    @GET
    @Operation(operationId = "getSyncStatus", summary = "Get a mailbox's sync state")
    @Extension(name = ProblemResponses.CODES, value = "not_found")
    public SyncStatus status(@PathParam("id") UUID id) {
        mailboxes.requireOwned(id, user.id());
        return withChangeState(id);
    }

    /** Runs a pass as soon as a worker is free; idempotent while one is queued or running. */
    @POST
    @Operation(operationId = "requestSync", summary = "Ask for a sync pass now")
    @APIResponse(responseCode = "202", description = "A pass is queued or running", content = @Content(
            mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = SyncStatus.class)))
    @Extension(name = ProblemResponses.CODES, value = "not_found, rate_limited")
    public Response request(@PathParam("id") UUID id) {
        limits.sync(user.id());
        mailboxes.requireOwned(id, user.id());
        leases.request(id);
        scheduler.wakeUp();
        return Response.accepted(withChangeState(id)).build();
    }

    /** The status with the change-feed state, read first (as the messages list does: a change between is not lost). */
    private SyncStatus withChangeState(UUID id) {
        String changeState = events.state(id).toString();
        return statuses.status(id, changeState);
    }
}
