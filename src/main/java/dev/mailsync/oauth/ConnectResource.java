package dev.mailsync.oauth;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;

import jakarta.annotation.security.PermitAll;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.extensions.Extension;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirements;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import dev.mailsync.common.openapi.ProblemResponses;
import dev.mailsync.common.ratelimit.RateLimits;
import dev.mailsync.common.security.CurrentUser;
import dev.mailsync.mailbox.Mailbox;
import dev.mailsync.mailbox.MailboxView;
import dev.mailsync.mailbox.SyncSummaries;
import io.quarkus.security.Authenticated;

/**
 * Connecting a Microsoft 365 mailbox, in two steps: start (answers the authorization URL), Microsoft's callback
 * (keeps the grant, hands the browser a one-time {@code connection} value) and complete (the user who started
 * attaches it).
 */
@Path("/api/v1/mailboxes/connect/microsoft")
@Tag(name = "Mailboxes")
public class ConnectResource {

    private final ConnectService connect;
    private final PendingConnections connections;
    private final SyncSummaries syncSummaries;
    private final CurrentUser user;
    private final FrontendTarget frontend;
    private final RateLimits limits;

    public ConnectResource(ConnectService connect, PendingConnections connections, SyncSummaries syncSummaries,
            CurrentUser user, FrontendTarget frontend, RateLimits limits) {
        this.connect = connect;
        this.connections = connections;
        this.syncSummaries = syncSummaries;
        this.user = user;
        this.frontend = frontend;
        this.limits = limits;
    }

    /** Starts connecting a Microsoft 365 mailbox: open {@code authorizationUrl} in a browser (popup or tab). */
    @POST
    @Authenticated
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(operationId = "startMicrosoftConnection", summary = "Start connecting a Microsoft 365 mailbox")
    @Extension(name = ProblemResponses.CODES, value = "provider_not_configured, rate_limited")
    public Authorization start() {
        limits.connect(user.id());
        return new Authorization(connect.startConnect(user.id()));
    }

    /**
     * Microsoft redirects the browser here (no bearer token; the state names the flow). Attaches nothing: hands the
     * browser {@code connection} (redirect to the frontend, or the page's postMessage) for the complete call.
     */
    @GET
    @Path("/callback")
    @PermitAll
    @Produces(MediaType.TEXT_HTML)
    @Operation(operationId = "microsoftConnectionCallback", summary = "Microsoft's redirect after sign-in")
    @SecurityRequirements // public: the browser arrives from Microsoft without a bearer token
    @APIResponse(responseCode = "200", description = "Without a frontend URL: a page that posts "
            + "{type: \"mailsync.connect\", connection} (or {type, error}) to the frontend origin and closes",
            content = @Content(mediaType = MediaType.TEXT_HTML, schema = @Schema(type = SchemaType.STRING)))
    @APIResponse(responseCode = "303", description = "With a frontend URL: to <frontend-url>?connection=<value> "
            + "(or ?error=<code>)")
    public Response callback(@QueryParam("state") String state, @QueryParam("code") String code,
            @QueryParam("error") String error) {
        try {
            ConnectService.SignedIn signedIn = connect.finishSignIn(state, code, error);
            return respond(CallbackPage.signedIn(signedIn.address(), signedIn.connection(), frontend.origin()),
                    "connection", signedIn.connection());
        } catch (ConnectFailure failure) {
            return respond(CallbackPage.failed(failure, frontend.origin()), "error", failure.code());
        }
    }

    /**
     * Attaches the mailbox the caller signed in to: only the user who started the flow may; for anyone else the
     * connection is discarded (403 {@code connection_not_yours}). 404 {@code connection_invalid} (unknown or used),
     * 410 {@code connection_expired}.
     */
    @POST
    @Path("/complete")
    @Authenticated
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    @APIResponse(responseCode = "201", description = "The connected (or re-linked) mailbox",
            content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(implementation = MailboxView.class)))
    @Operation(operationId = "completeMicrosoftConnection", summary = "Attach the signed-in mailbox to the caller")
    @Extension(name = ProblemResponses.CODES, value = "connection_invalid, connection_not_yours, connection_expired")
    public Response complete(@NotNull @Valid CompleteRequest request) {
        Mailbox mailbox = connections.complete(request.connection(), user.id());
        MailboxView view = MailboxView.from(mailbox, syncSummaries.summaries(List.of(mailbox.id)).get(mailbox.id));
        return Response.created(URI.create("/api/v1/mailboxes/" + mailbox.id)).entity(view).build();
    }

    private Response respond(CallbackPage page, String parameter, String value) {
        Response.ResponseBuilder response;
        if (frontend.url().isPresent()) {
            String url = frontend.url().get();
            response = Response.seeOther(URI.create(url + (url.contains("?") ? "&" : "?") + parameter + "="
                    + URLEncoder.encode(value, StandardCharsets.UTF_8)));
        } else {
            response = Response.status(page.status()).type(MediaType.TEXT_HTML_TYPE.withCharset("UTF-8"))
                    .entity(page.html())
                    .header("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; "
                            + "script-src 'unsafe-inline'");
        }
        // the callback URL carries the authorization code, the answer the connection value: keep both out of
        // Referer headers and caches
        return response.header("Referrer-Policy", "no-referrer").header("Cache-Control", "no-store").build();
    }

    public record Authorization(String authorizationUrl) {
    }

    /** The one-time value the callback handed the browser. */
    public record CompleteRequest(
            @NotBlank @Size(max = 100)
            @Pattern(regexp = "[A-Za-z0-9_-]*", message = "must be the value the callback handed out")
            String connection) {

        @Override
        public String toString() {
            return "CompleteRequest[]";
        }
    }
}
