package dev.mailsync.mailbox;

import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
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
import dev.mailsync.common.security.CurrentUser;
import io.quarkus.security.Authenticated;

@Path("/api/v1/mailboxes")
@Produces(MediaType.APPLICATION_JSON)
@Authenticated
@Tag(name = "Mailboxes")
public class MailboxResource {

    private final MailboxService service;
    private final SharedMailboxes shared;
    private final SyncSummaries syncSummaries;
    private final CurrentUser user;

    public MailboxResource(MailboxService service, SharedMailboxes shared, SyncSummaries syncSummaries,
            CurrentUser user) {
        this.service = service;
        this.shared = shared;
        this.syncSummaries = syncSummaries;
        this.user = user;
    }

    /** The caller's mailboxes. */
    @GET
    @Operation(operationId = "listMailboxes", summary = "List the caller's mailboxes")
    public List<MailboxView> list() {
        List<Mailbox> mailboxes = service.listMailboxes(user.id());
        Map<UUID, SyncSummaries.Summary> sync = syncSummaries.summaries(mailboxes.stream().map(m -> m.id).toList());
        return mailboxes.stream().map(m -> MailboxView.from(m, sync.get(m.id))).toList();
    }

    /** One of the caller's mailboxes; another user's mailbox answers 404 like an unknown id. */
    @GET
    @Path("/{id}")
    @Operation(operationId = "getMailbox", summary = "Get a mailbox")
    @Extension(name = ProblemResponses.CODES, value = "not_found")
    public MailboxView get(@PathParam("id") UUID id) {
        Mailbox mailbox = service.getMailbox(id, user.id());
        return MailboxView.from(mailbox, syncSummaries.summaries(List.of(id)).get(id));
    }

    /**
     * Adds a shared mailbox reached with this mailbox's grant (201 with the new mailbox, synced at once). The access is
     * tried on the mail server first: a user without access gets 422 {@code shared_mailbox_denied} and nothing is added.
     */
    @POST
    @Path("/{id}/shared")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(operationId = "addSharedMailbox", summary = "Add a shared mailbox reached with this mailbox's grant")
    @APIResponse(responseCode = "201", description = "Added; synced from now on",
            content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(implementation = MailboxView.class)))
    @Extension(name = ProblemResponses.CODES, value = "not_found, mailbox_not_active, shared_mailbox_exists, "
            + "shared_mailbox_denied, reauth_required, token_unavailable, imap_unreachable, imap_throttled")
    public Response addShared(@PathParam("id") UUID id, @NotNull @Valid SharedMailboxRequest request) {
        Mailbox mailbox = shared.add(id, user.id(), request.address());
        MailboxView view = MailboxView.from(mailbox, syncSummaries.summaries(List.of(mailbox.id)).get(mailbox.id));
        return Response.created(URI.create("/api/v1/mailboxes/" + mailbox.id)).entity(view).build();
    }

    /**
     * Disconnects the mailbox: its tokens and everything stored for it are deleted, and so are the shared mailboxes
     * reached with its grant.
     */
    @DELETE
    @Path("/{id}")
    @Operation(operationId = "disconnectMailbox", summary = "Disconnect a mailbox (and the shared mailboxes reached "
            + "through it) and delete its synced mail")
    @Extension(name = ProblemResponses.CODES, value = "not_found")
    public void disconnect(@PathParam("id") UUID id) {
        service.disconnectMailbox(id, user.id());
    }
}
