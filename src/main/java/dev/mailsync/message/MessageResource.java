package dev.mailsync.message;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.annotation.security.PermitAll;
import jakarta.validation.Valid;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
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
import jakarta.ws.rs.core.StreamingOutput;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.extensions.Extension;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirementsSet;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import dev.mailsync.common.openapi.ProblemResponses;
import dev.mailsync.common.problem.ProblemException;
import dev.mailsync.common.problem.QueryParams;
import dev.mailsync.common.security.CurrentUser;
import dev.mailsync.events.EventLog;
import dev.mailsync.events.Position;
import dev.mailsync.mailbox.MailboxService;
import dev.mailsync.message.MessageViews.MessageDetail;
import dev.mailsync.message.MessageViews.Page;
import dev.mailsync.message.MessageViews.ThreadDetail;
import dev.mailsync.message.MessageViews.ThreadSummary;
import io.quarkus.security.Authenticated;

/** Synced mail of one of the caller's mailboxes, read from PostgreSQL. */
@Path("/api/v1/mailboxes/{id}")
@Produces(MediaType.APPLICATION_JSON)
@Authenticated
@Tag(name = "Messages")
public class MessageResource {

    private static final String NOT_A_CURSOR = "is not a cursor from a previous page";
    static final String NO_CONTROLS = "[^\\p{Cntrl}]*";
    static final String CONTROLS = "must not contain control characters";

    private final MailboxService mailboxes;
    private final MessageQueries queries;
    private final MessageOperations operations;
    private final CurrentUser user;
    private final SignedLinks links;
    private final MessageDownloads downloads;
    private final EventLog events;

    public MessageResource(MailboxService mailboxes, MessageQueries queries, MessageOperations operations,
            CurrentUser user, SignedLinks links, MessageDownloads downloads, EventLog events) {
        this.mailboxes = mailboxes;
        this.queries = queries;
        this.operations = operations;
        this.user = user;
        this.links = links;
        this.downloads = downloads;
        this.events = events;
    }

    /**
     * Newest first. {@code limit} 1–200 (50); {@code cursor} from the previous page's {@code nextCursor};
     * {@code since}/{@code before}: an ISO date or date-time; {@code q}: full-text search (an address also
     * matches exactly).
     */
    @GET
    @Path("/messages")
    @APIResponse(responseCode = "200", description = "a page of messages",
            content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(implementation = MessageViews.MessagePage.class)))
    @Operation(operationId = "listMessages", summary = "List or search messages, newest first")
    @Extension(name = ProblemResponses.CODES, value = "not_found, busy, query_timeout")
    public byte[] list(@PathParam("id") UUID id, @QueryParam("folder") String folder,
            @QueryParam("limit") String limit, @QueryParam("cursor") String cursor,
            @QueryParam("unread") String unread, @QueryParam("flagged") String flagged,
            @QueryParam("hasAttachments") String hasAttachments, @QueryParam("from") String from,
            @QueryParam("to") String to, @QueryParam("since") String since, @QueryParam("before") String before,
            @QueryParam("q") String q) {
        QueryParams p = new QueryParams();
        MessageFilter filter = new MessageFilter(p.text("folder", folder, 1000), p.bool("unread", unread),
                p.bool("flagged", flagged), p.bool("hasAttachments", hasAttachments), p.address("from", from),
                p.address("to", to), p.time("since", since), p.time("before", before), p.text("q", q, 500));
        int size = p.limit(limit);
        MessageCursor validCursor = p.parse("cursor", cursor, MessageCursor::decode, NOT_A_CURSOR);
        p.check();
        // the state is read before the page: a change between the two reads is then after the state, and the next
        // changes call reports it (read after, the change could be in neither the page nor the changes)
        Position state = events.state(id);
        MessageQueries.JsonPage page = queries.list(id, user.id(), filter, validCursor, size, state.toString());
        if (page.empty()) {
            mailboxes.requireOwned(id, user.id()); // an empty page, or not this user's mailbox (404)
        }
        return page.json();
    }

    /**
     * One message. Remote images in its HTML are not loaded unless {@code images=remote}: their URLs wait in
     * {@code data-mailsync-src} (and {@code -srcset}, {@code -background}). Attachment URLs are signed and work
     * without an {@code Authorization} header for {@code mailsync.api.signed-url-ttl}.
     */
    @GET
    @Path("/messages/{messageId}")
    @Operation(operationId = "getMessage", summary = "Get a message")
    @Extension(name = ProblemResponses.CODES, value = "not_found, busy, query_timeout")
    public MessageDetail get(@PathParam("id") UUID id, @PathParam("messageId") long messageId,
            @QueryParam("images") String images) {
        QueryParams p = new QueryParams();
        Boolean remote = p.parse("images", images, MessageResource::remoteImages, "must be remote or blocked");
        p.check();
        mailboxes.requireOwned(id, user.id());
        return detail(id, messageId, Boolean.TRUE.equals(remote));
    }

    private MessageDetail detail(UUID id, long messageId, boolean remoteImages) {
        return queries.get(id, messageId, remoteImages)
                .orElseThrow(() -> ProblemException.notFound("Message " + messageId));
    }

    private static boolean remoteImages(String value) {
        return switch (value) {
            case "remote" -> true;
            case "blocked" -> false;
            default -> throw new IllegalArgumentException(value);
        };
    }

    /**
     * An attachment's content, streamed from the mail server (XOAUTH2, fresh token) as a download. Either with the
     * caller's bearer token, or without one through the signed URL of a message detail ({@code expires},
     * {@code signature}), so that {@code <img src>} and {@code <a download>} work in a browser.
     */
    @GET
    @Path("/messages/{messageId}/attachments/{attachmentId}")
    @Produces(MediaType.WILDCARD)
    @PermitAll
    @Operation(operationId = "getAttachment", summary = "Download an attachment")
    @SecurityRequirementsSet(@SecurityRequirement(name = "bearer"))
    @SecurityRequirementsSet // or none: the signed URL of a message detail (expires, signature)
    @Extension(name = ProblemResponses.CODES, value = "not_found, invalid_signature, link_expired, message_changed, "
            + "reauth_required, token_unavailable, imap_refused, imap_throttled, imap_busy")
    public Response attachment(@PathParam("id") UUID id, @PathParam("messageId") long messageId,
            @PathParam("attachmentId") int attachmentId, @QueryParam("expires") String expires,
            @QueryParam("signature") String signature) {
        if (expires != null || signature != null) {
            links.verify(id, messageId, attachmentId, expires, signature);
        } else {
            mailboxes.requireOwned(id, user.id());
        }
        return stream(downloads.attachment(id, messageId, attachmentId), "attachment");
    }

    /** The whole message as the server has it, streamed. */
    @GET
    @Path("/messages/{messageId}/raw")
    @Produces("message/rfc822")
    @Operation(operationId = "getRawMessage", summary = "Download the whole message (RFC 822)")
    @Extension(name = ProblemResponses.CODES, value = "not_found, message_changed, reauth_required, "
            + "token_unavailable, imap_refused, imap_throttled, imap_busy")
    public Response raw(@PathParam("id") UUID id, @PathParam("messageId") long messageId) {
        mailboxes.requireOwned(id, user.id());
        return stream(downloads.raw(id, messageId), "message-" + messageId + ".eml");
    }

    /**
     * A download as it comes from the server: chunked (the decoded size is not known before), nothing spooled to
     * memory or disk.
     */
    private static Response stream(MessageDownloads.Download download, String fallbackName) {
        try {
            StreamingOutput body = download::writeTo;
            return Response.ok(body, safeType(download.contentType()))
                    .header("Content-Disposition", ContentDisposition.attachment(download.filename(), fallbackName))
                    .header("X-Content-Type-Options", "nosniff")
                    .header("Cache-Control", "private, no-store").build();
        } catch (RuntimeException e) {
            download.close();
            throw e;
        }
    }

    /** Marks the message read or unread, flagged or not: on the server, then in the store. */
    @PATCH
    @Path("/messages/{messageId}")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(operationId = "updateMessageFlags", summary = "Mark a message read or unread, flagged or not")
    @Extension(name = ProblemResponses.CODES, value = "not_found, message_changed, reauth_required, "
            + "token_unavailable, imap_refused, imap_throttled, imap_busy, busy, query_timeout")
    public MessageDetail change(@PathParam("id") UUID id, @PathParam("messageId") long messageId,
            @NotNull @Valid FlagChange change) {
        mailboxes.requireOwned(id, user.id());
        operations.setFlags(id, messageId, change.seen(), change.flagged());
        return detail(id, messageId, false);
    }

    @POST
    @Path("/messages/{messageId}/move")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(operationId = "moveMessage", summary = "Move a message to another folder")
    @APIResponse(responseCode = "204", description = "Moved on the server and in the store")
    @Extension(name = ProblemResponses.CODES, value = "not_found, message_changed, reauth_required, "
            + "token_unavailable, imap_refused, imap_throttled, imap_busy")
    public Response move(@PathParam("id") UUID id, @PathParam("messageId") long messageId,
            @NotNull @Valid Move move) {
        mailboxes.requireOwned(id, user.id());
        operations.move(id, messageId, move.folder());
        return Response.noContent().build();
    }

    /** Moves the message to Deleted Items / Trash; {@code permanent=true} expunges it. */
    @DELETE
    @Path("/messages/{messageId}")
    @Operation(operationId = "deleteMessage", summary = "Delete a message (to the trash, or permanently)")
    @APIResponse(responseCode = "204", description = "Deleted on the server and in the store")
    @Extension(name = ProblemResponses.CODES, value = "not_found, no_trash_folder, message_changed, reauth_required, "
            + "token_unavailable, imap_refused, imap_throttled, imap_busy")
    public Response delete(@PathParam("id") UUID id, @PathParam("messageId") long messageId,
            @QueryParam("permanent") String permanent) {
        mailboxes.requireOwned(id, user.id());
        QueryParams p = new QueryParams();
        Boolean forever = p.bool("permanent", permanent);
        p.check();
        operations.delete(id, messageId, Boolean.TRUE.equals(forever));
        return Response.noContent().build();
    }

    /**
     * One action on up to 100 messages, in one IMAP session with one command per folder; answers each message's
     * outcome ({@code done}, or a problem code such as {@code not_found}, {@code message_changed} or
     * {@code imap_refused}). A mailbox that must be reconnected fails the whole request (409), as do an unknown
     * target folder (404), no access token (503) or an unreachable server (502).
     */
    @POST
    @Path("/messages/batch")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(operationId = "batchUpdateMessages", summary = "Apply one action to up to 100 messages")
    @Extension(name = ProblemResponses.CODES, value = "not_found, reauth_required, token_unavailable, imap_refused, imap_throttled, imap_busy")
    public BatchResult batch(@PathParam("id") UUID id, @NotNull @Valid Batch batch) {
        mailboxes.requireOwned(id, user.id());
        List<Long> ids = new ArrayList<>();
        for (String messageId : batch.ids()) {
            if (messageId.matches("[0-9]{1,18}")) {
                ids.add(Long.parseLong(messageId));
            }
        }
        Map<Long, ProblemException> outcome = operations.apply(id, ids, batch.kind(), batch.folder());
        List<BatchResult.Item> results = new ArrayList<>();
        for (String messageId : batch.ids()) {
            ProblemException failed = messageId.matches("[0-9]{1,18}") ? outcome.get(Long.parseLong(messageId))
                    : ProblemException.notFound("Message " + messageId);
            results.add(failed == null ? new BatchResult.Item(messageId, "done", null)
                    : new BatchResult.Item(messageId, "failed", failed.code()));
        }
        return new BatchResult(results);
    }

    public record Batch(@NotNull @Size(min = 1, max = 100) List<@NotBlank String> ids,
            @NotNull @Pattern(regexp = BatchAction.PATTERN, message = BatchAction.PATTERN_MESSAGE) String action,
            @Size(max = 1000) @Pattern(regexp = NO_CONTROLS, message = CONTROLS) String folder) {

        @AssertTrue(message = "a move needs the target folder")
        public boolean isFolderGivenForMove() {
            return !BatchAction.MOVE.wire().equals(action) || folder != null && !folder.isBlank();
        }

        /** The action, once the request is valid. */
        BatchAction kind() {
            return BatchAction.fromWire(action);
        }
    }

    public record BatchResult(List<Item> results) {
        @Schema(name = "BatchResultItem")
        public record Item(String id, String status, String code) {
        }
    }

    /** Flags to set; at least one. */
    public record FlagChange(Boolean seen, Boolean flagged) {
        @AssertTrue(message = "give seen and/or flagged")
        public boolean isAnyGiven() {
            return seen != null || flagged != null;
        }
    }

    public record Move(@NotBlank @Size(max = 1000) @Pattern(regexp = NO_CONTROLS, message = CONTROLS) String folder) {
    }

    private static MediaType safeType(String contentType) {
        try {
            MediaType type = MediaType.valueOf(contentType);
            // never let a download render as a page of this origin
            return type.getType().equals("text") || type.getSubtype().contains("html")
                    || type.getSubtype().contains("xml") || type.getSubtype().contains("svg")
                            ? MediaType.APPLICATION_OCTET_STREAM_TYPE : type;
        } catch (IllegalArgumentException e) {
            return MediaType.APPLICATION_OCTET_STREAM_TYPE;
        }
    }

    /** Conversations, newest activity first. */
    @GET
    @Path("/threads")
    @Operation(operationId = "listThreads", summary = "List conversations, newest activity first")
    @Extension(name = ProblemResponses.CODES, value = "not_found, busy, query_timeout")
    public Page<ThreadSummary> threads(@PathParam("id") UUID id, @QueryParam("folder") String folder,
            @QueryParam("cursor") String cursor, @QueryParam("limit") String limit) {
        mailboxes.requireOwned(id, user.id());
        QueryParams p = new QueryParams();
        String validFolder = p.text("folder", folder, 1000);
        int size = p.limit(limit);
        Cursor validCursor = p.parse("cursor", cursor, Cursor::decode, NOT_A_CURSOR);
        p.check();
        return queries.threads(id, validFolder, validCursor, size);
    }

    /** One conversation: its messages oldest first, across folders (Sent included). */
    @GET
    @Path("/threads/{threadId}")
    @Operation(operationId = "getThread", summary = "Get a conversation")
    @Extension(name = ProblemResponses.CODES, value = "not_found, busy, query_timeout")
    public ThreadDetail thread(@PathParam("id") UUID id, @PathParam("threadId") String threadId) {
        mailboxes.requireOwned(id, user.id());
        return queries.thread(id, threadId).orElseThrow(() -> ProblemException.notFound("Thread " + threadId));
    }
}
