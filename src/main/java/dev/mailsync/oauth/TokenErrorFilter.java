package dev.mailsync.oauth;

import java.time.Duration;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.arc.Unremovable;
import io.quarkus.oidc.common.OidcEndpoint;
import io.quarkus.oidc.common.OidcResponseFilter;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

/**
 * The OIDC client reports a refused token request only by its body. This filter turns every non-200 answer of
 * a token endpoint into a {@link TokenEndpointException} with the status, the OAuth error code, the first line
 * of the description (Entra's AADSTS code and text; it never echoes secrets), Entra's {@code suberror} and
 * Retry-After.
 */
@ApplicationScoped
@Unremovable // looked up by the OIDC client at run time, never injected
@OidcEndpoint(OidcEndpoint.Type.TOKEN)
public class TokenErrorFilter implements OidcResponseFilter {

    @Override
    public Uni<Void> filter(OidcResponseFilterContext context) {
        if (context.statusCode() == 200) {
            return Uni.createFrom().voidItem();
        }
        String error = null;
        String suberror = null;
        String description = null;
        try {
            JsonObject body = context.responseBody() == null ? null : context.responseBody().toJsonObject();
            if (body != null) {
                error = body.getString("error");
                suberror = body.getString("suberror");
                description = firstLine(body.getString("error_description"));
            }
        } catch (DecodeException | ClassCastException e) {
            // not JSON: the status says enough
        }
        return Uni.createFrom().failure(new TokenEndpointException(context.statusCode(), error, suberror, description,
                retryAfter(context.responseHeaders().get("Retry-After"))));
    }

    private static String firstLine(String text) {
        if (text == null) {
            return null;
        }
        String line = text.lines().findFirst().orElse("");
        return line.length() > 300 ? line.substring(0, 300) : line;
    }

    private static Duration retryAfter(String header) {
        if (header == null) {
            return null;
        }
        try {
            return Duration.ofSeconds(Math.max(0, Long.parseLong(header.trim())));
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
