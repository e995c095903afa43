package dev.mailsync.common.crypto;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.extensions.Extension;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import dev.mailsync.common.openapi.ProblemResponses;
import dev.mailsync.common.security.CurrentUser;

/** Key rotation for administrators: see {@link SecretRotation}. */
@Path("/api/v1/admin/encryption")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed(CurrentUser.ADMIN)
@Tag(name = "Administration")
public class EncryptionResource {

    private final SecretRotation rotation;

    public EncryptionResource(SecretRotation rotation) {
        this.rotation = rotation;
    }

    /**
     * Re-encrypts every stored secret still under a previous key (or the old unbound format) with the current
     * key; answers what remains per key id and which keys may now be removed from the settings.
     */
    @POST
    @Path("/rotate")
    @Operation(operationId = "rotateEncryptionKey", summary = "Re-encrypt stored secrets with the current key")
    @Extension(name = ProblemResponses.CODES, value = "forbidden")
    public SecretRotation.Report rotate() {
        return rotation.rotate();
    }
}
