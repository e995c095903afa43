package dev.mailsync.oauth;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

import jakarta.annotation.security.PermitAll;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import dev.mailsync.common.MailsyncConfig;
import dev.mailsync.common.ratelimit.RateLimits;
import dev.mailsync.common.security.CurrentUser;
import dev.mailsync.mailbox.Mailbox;
import io.quarkus.security.Authenticated;

@Path("/api/v1/mailboxes/connect/microsoft")
@Tag(name = "Mailboxes")
public class ConnectResource {

    private final ConnectService connect;
    private final CurrentUser user;
    private final MailsyncConfig config;
    private final RateLimits limits;

    public ConnectResource(ConnectService connect, CurrentUser user, MailsyncConfig config, RateLimits limits) {
        this.connect = connect;
        this.user = user;
        this.config = config;
        this.limits = limits;
    }

    /** Starts connecting a Microsoft 365 mailbox: open {@code authorizationUrl} in a browser (popup or tab). */
    @POST
    @Authenticated
    @Produces(MediaType.APPLICATION_JSON)
    public Authorization start() {
        limits.connect(user.id());
        return new Authorization(connect.startConnect(user.id()));
    }

    /** Microsoft redirects the browser here; the state names the user (no bearer token). */
    @GET
    @Path("/callback")
    @PermitAll
    @Produces(MediaType.TEXT_HTML)
    public Response callback(@QueryParam("state") String state, @QueryParam("code") String code,
            @QueryParam("error") String error) {
        try {
            Mailbox mailbox = connect.completeConnect(state, code, error);
            return respond(CallbackPage.connected(mailbox), "mailbox", mailbox.id.toString());
        } catch (ConnectFailure failure) {
            return respond(CallbackPage.failed(failure), "error", failure.code());
        }
    }

    private Response respond(CallbackPage page, String parameter, String value) {
        Optional<String> frontend = config.frontendUrl().filter(url -> !url.isBlank());
        Response.ResponseBuilder response;
        if (frontend.isPresent()) {
            String url = frontend.get();
            response = Response.seeOther(URI.create(url + (url.contains("?") ? "&" : "?") + parameter + "="
                    + URLEncoder.encode(value, StandardCharsets.UTF_8)));
        } else {
            response = Response.status(page.status()).type(MediaType.TEXT_HTML_TYPE.withCharset("UTF-8"))
                    .entity(page.html())
                    .header("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; "
                            + "script-src 'unsafe-inline'");
        }
        // the callback URL carries the authorization code: keep it out of Referer headers and caches
        return response.header("Referrer-Policy", "no-referrer").header("Cache-Control", "no-store").build();
    }

    public record Authorization(String authorizationUrl) {
    }
}
