package dev.mailsync.mailbox;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.extensions.Extension;
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
    private final SyncSummaries syncSummaries;
    private final CurrentUser user;

    public MailboxResource(MailboxService service, SyncSummaries syncSummaries, CurrentUser user) {
        this.service = service;
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

    /** Disconnects the mailbox: its tokens and everything stored for it are deleted. */
    @DELETE
    @Path("/{id}")
    @Operation(operationId = "disconnectMailbox", summary = "Disconnect a mailbox and delete its synced mail")
    @Extension(name = ProblemResponses.CODES, value = "not_found")
    public void disconnect(@PathParam("id") UUID id) {
        service.disconnectMailbox(id, user.id());
    }
}
