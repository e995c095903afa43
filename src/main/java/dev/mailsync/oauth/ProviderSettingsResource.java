package dev.mailsync.oauth;

import java.util.List;
import java.util.stream.Stream;

import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.extensions.Extension;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import dev.mailsync.common.openapi.ProblemResponses;
import dev.mailsync.common.security.CurrentUser;

/** The "email settings page": an administrator pastes the Entra app's client id and secret. */
@Path("/api/v1/admin/providers/microsoft")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@RolesAllowed(CurrentUser.ADMIN)
@Tag(name = "Administration")
public class ProviderSettingsResource {

    private final ProviderSettingsService settings;
    private final CurrentUser user;

    public ProviderSettingsResource(ProviderSettingsService settings, CurrentUser user) {
        this.settings = settings;
        this.user = user;
    }

    @GET
    @Operation(operationId = "getMicrosoftProviderSettings", summary = "Read the Microsoft application settings")
    @Extension(name = ProblemResponses.CODES, value = "forbidden")
    public View get() {
        return View.of(settings.microsoftApp(), settings.redirectUri());
    }

    @PUT
    @Operation(operationId = "updateMicrosoftProviderSettings", summary = "Save the Microsoft application settings")
    @Extension(name = ProblemResponses.CODES, value = "forbidden")
    public View put(@NotNull @Valid Update update) {
        MicrosoftApp app = settings.saveMicrosoftApp(update.tenant() == null ? "common" : update.tenant(),
                update.clientId(), update.clientSecret(), user.id());
        return View.of(app, settings.redirectUri());
    }

    /**
     * What the settings page shows: the secret only as set or not, and the delegated permissions to grant the app
     * in Entra (API permissions).
     */
    @Schema(name = "MicrosoftProviderSettings")
    public record View(String tenant, String clientId, boolean clientSecretSet, String redirectUri,
            List<Permission> permissions) {
        static View of(MicrosoftApp app, String redirectUri) {
            return new View(app.tenant(), app.clientId().orElse(null), app.clientSecret().isPresent(), redirectUri,
                    Permission.ALL);
        }
    }

    /** A delegated permission the Entra app needs: the API as Entra's "Request API permissions" names it. */
    @Schema(name = "MicrosoftPermission")
    public record Permission(String api, String permission) {

        /** OpenID Connect's (listed under Microsoft Graph in Entra), then each resource's. */
        static final List<Permission> ALL = Stream.concat(
                Stream.of(Audience.OPENID.split(" ")).map(p -> new Permission(Audience.GRAPH.apiName(), p)),
                Stream.of(Audience.values()).flatMap(a -> a.permissions().stream()
                        .map(p -> new Permission(a.apiName(), p)))).toList();
    }

    /** What an administrator saves. {@code clientSecret}: omitted keeps the saved one, empty removes it. */
    @Schema(name = "MicrosoftProviderSettingsUpdate")
    public record Update(
            @Pattern(regexp = "[A-Za-z0-9][A-Za-z0-9.-]{0,99}",
                    message = "must be common, organizations, consumers, a tenant id or a domain") String tenant,
            @NotBlank @Size(max = 200) @Pattern(regexp = "[^\\s]+", message = "must not contain spaces") String clientId,
            @Size(max = 1000) @Pattern(regexp = "[^\\r\\n]*", message = "must be a single line") String clientSecret) {

        @Override
        public String toString() {
            return "Update[tenant=" + tenant + ", clientId=" + clientId + "]";
        }
    }
}
