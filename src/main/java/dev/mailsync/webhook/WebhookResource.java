package dev.mailsync.webhook;

import java.net.URI;
import java.util.List;
import java.util.UUID;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
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
import dev.mailsync.common.problem.QueryParams;
import dev.mailsync.common.security.CurrentUser;
import dev.mailsync.message.Cursor;
import dev.mailsync.message.MessageViews.Page;
import io.quarkus.security.Authenticated;
import io.quarkus.security.identity.SecurityIdentity;

/**
 * Webhooks: a user's receive the events of their mailboxes; an administrator's with {@code "scope": "all"} receive
 * every mailbox's. Each is visible to its creator, admin-wide ones to every administrator.
 */
@Path("/api/v1/webhooks")
@Produces(MediaType.APPLICATION_JSON)
@Authenticated
@Tag(name = "Webhooks")
public class WebhookResource {

    private final WebhookService webhooks;
    private final DeliveryStore deliveries;
    private final CurrentUser user;
    private final SecurityIdentity identity;

    public WebhookResource(WebhookService webhooks, DeliveryStore deliveries, CurrentUser user,
            SecurityIdentity identity) {
        this.webhooks = webhooks;
        this.deliveries = deliveries;
        this.user = user;
        this.identity = identity;
    }

    /** Creates a webhook (201); the answer carries its {@code secret}, shown this once. */
    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(operationId = "createWebhook", summary = "Create a webhook")
    @APIResponse(responseCode = "201", description = "Created; the body holds the signing secret, shown only now",
            content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(implementation = WebhookView.Created.class)))
    @Extension(name = ProblemResponses.CODES, value = "forbidden, webhook_url_refused, webhook_limit_reached")
    public Response create(@NotNull @Valid WebhookRequest request) {
        WebhookView.Created created = webhooks.create(user.id(), admin(), request);
        return Response.created(URI.create("/api/v1/webhooks/" + created.id())).entity(created).build();
    }

    @GET
    @Operation(operationId = "listWebhooks", summary = "List the caller's webhooks (and, for administrators, "
            + "every admin-wide one)")
    public Page<WebhookView> list() {
        return new Page<>(webhooks.list(user.id(), admin()), null);
    }

    @GET
    @Path("/{id}")
    @Operation(operationId = "getWebhook", summary = "Get a webhook")
    @Extension(name = ProblemResponses.CODES, value = "not_found")
    public WebhookView get(@PathParam("id") UUID id) {
        return webhooks.get(id, user.id(), admin());
    }

    /** Enables a disabled webhook again ({@code "state": "active"}) or pauses one ({@code "disabled"}). */
    @PATCH
    @Path("/{id}")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(operationId = "updateWebhook", summary = "Enable a disabled webhook again, or disable one")
    @Extension(name = ProblemResponses.CODES, value = "not_found, webhook_url_refused")
    public WebhookView update(@PathParam("id") UUID id, @NotNull @Valid WebhookUpdate update) {
        return webhooks.update(id, user.id(), admin(), update);
    }

    /** Deletes a webhook and its deliveries. */
    @DELETE
    @Path("/{id}")
    @Operation(operationId = "deleteWebhook", summary = "Delete a webhook and its deliveries")
    @APIResponse(responseCode = "204", description = "Deleted")
    @Extension(name = ProblemResponses.CODES, value = "not_found")
    public Response delete(@PathParam("id") UUID id) {
        webhooks.delete(id, user.id(), admin());
        return Response.noContent().build();
    }

    /** Newest first; {@code limit} 1–200 (50); {@code cursor} from {@code nextCursor}. */
    @GET
    @Path("/{id}/deliveries")
    @Operation(operationId = "listWebhookDeliveries", summary = "List a webhook's deliveries, newest first")
    @Extension(name = ProblemResponses.CODES, value = "not_found")
    public Page<DeliveryView> deliveries(@PathParam("id") UUID id, @QueryParam("limit") String limit,
            @QueryParam("cursor") String cursor) {
        webhooks.get(id, user.id(), admin());
        QueryParams p = new QueryParams();
        int size = p.limit(limit);
        Cursor after = p.parse("cursor", cursor, DeliveryResourceCursor::decode, "is not a cursor from a previous page");
        p.check();
        List<DeliveryView> items = deliveries.list(id, after, size);
        DeliveryView last = items.size() == size ? items.get(items.size() - 1) : null;
        return new Page<>(items, last == null ? null : new Cursor(last.createdAt(), last.id()).encode());
    }

    private boolean admin() {
        return identity.hasRole(CurrentUser.ADMIN);
    }

    /** A deliveries cursor: a {@link Cursor} whose key is a delivery id. */
    private static final class DeliveryResourceCursor {
        static Cursor decode(String text) {
            Cursor cursor = Cursor.decode(text);
            UUID.fromString(cursor.key());
            return cursor;
        }
    }
}
