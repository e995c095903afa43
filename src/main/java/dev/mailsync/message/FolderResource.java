package dev.mailsync.message;

import java.util.List;
import java.util.UUID;

import jakarta.transaction.Transactional;
import jakarta.validation.Valid;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.extensions.Extension;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import dev.mailsync.common.openapi.ProblemResponses;
import dev.mailsync.common.problem.ProblemException;
import dev.mailsync.common.security.CurrentUser;
import dev.mailsync.mailbox.MailboxService;

/**
 * A mailbox's folders and which of them are synced. A folder name goes into the path percent-encoded
 * ({@code Projekt%2F%C3%85terkoppling%202026}); a literal {@code /} works too.
 */
@Path("/api/v1/mailboxes/{id}/folders")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Folders")
@io.quarkus.security.Authenticated
public class FolderResource {

    private final MailboxService mailboxes;
    private final FolderRepository folders;
    private final CurrentUser user;

    public FolderResource(MailboxService mailboxes, FolderRepository folders, CurrentUser user) {
        this.mailboxes = mailboxes;
        this.folders = folders;
        this.user = user;
    }

    @GET
    @Operation(operationId = "listFolders", summary = "List a mailbox's folders")
    @Extension(name = ProblemResponses.CODES, value = "not_found")
    public List<FolderView> list(@PathParam("id") UUID id) {
        mailboxes.requireOwned(id, user.id());
        return folders.listPresent(id).stream().map(FolderView::from).toList();
    }

    /**
     * Chooses whether the folder is synced (turning it off keeps what is stored, on fetches it at the next pass) and
     * whether it is pushed (watched in IDLE, within {@code mailsync.push.connections-per-mailbox}; absent: unchanged).
     */
    @PUT
    @Path("/{folder: .+}")
    @Consumes(MediaType.APPLICATION_JSON)
    @Transactional
    @Operation(operationId = "setFolderSync", summary = "Choose whether a folder syncs and is pushed")
    @Extension(name = ProblemResponses.CODES, value = "not_found")
    public FolderView choose(@PathParam("id") UUID id, @PathParam("folder") String name,
            @NotNull @Valid SyncChoice choice) {
        mailboxes.requireOwned(id, user.id());
        Folder folder = folders.findPresentByName(id, name)
                .orElseThrow(() -> ProblemException.notFound("Folder " + name));
        folder.sync = choice.sync();
        folder.push = choice.push() == null ? folder.push && choice.sync() : choice.push();
        return FolderView.from(folder);
    }

    /** {@code push} needs {@code sync}: a pushed folder's changes are fetched by the folder's sync. */
    public record SyncChoice(@NotNull Boolean sync, Boolean push) {
        @AssertTrue(message = "a pushed folder must be synced")
        public boolean isPushOnlyWhenSynced() {
            return push == null || !push || sync == null || sync;
        }
    }

    public record FolderView(String name, String specialUse, boolean sync, boolean push, int messages, int unseen) {
        static FolderView from(Folder f) {
            return new FolderView(f.name, f.specialUse, f.sync, f.push, f.messages, f.unseen);
        }
    }
}
