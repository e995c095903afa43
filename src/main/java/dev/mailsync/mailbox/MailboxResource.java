package dev.mailsync.mailbox;

import java.util.List;
import java.util.UUID;

import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import dev.mailsync.common.security.CurrentUser;
import io.quarkus.security.Authenticated;

@Path("/api/v1/mailboxes")
@Produces(MediaType.APPLICATION_JSON)
@Authenticated
@Tag(name = "Mailboxes")
public class MailboxResource {

    private final MailboxService service;
    private final CurrentUser user;

    public MailboxResource(MailboxService service, CurrentUser user) {
        this.service = service;
        this.user = user;
    }

    /** The caller's mailboxes. */
    @GET
    public List<MailboxView> list() {
        return service.listMailboxes(user.id()).stream().map(MailboxView::from).toList();
    }

    /** One of the caller's mailboxes; another user's mailbox answers 404 like an unknown id. */
    @GET
    @Path("/{id}")
    public MailboxView get(@PathParam("id") UUID id) {
        return MailboxView.from(service.getMailbox(id, user.id()));
    }

    /** Disconnects the mailbox: its tokens and everything stored for it are deleted. */
    @DELETE
    @Path("/{id}")
    public void disconnect(@PathParam("id") UUID id) {
        service.disconnectMailbox(id, user.id());
    }
}
