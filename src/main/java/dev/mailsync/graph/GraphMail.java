package dev.mailsync.graph;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.logging.Log;

/**
 * Sending a stored MIME message through Microsoft Graph, and finding it again in Sent Items.
 * <ul>
 * <li>Up to 4 MB (base64, Graph's limit for one request): {@code POST {user}/sendMail} with the MIME base64-encoded
 * as {@code text/plain}; Graph keeps its bytes and Message-ID.</li>
 * <li>Larger: Graph's documented path for large mail. A draft from the MIME without its largest attachments
 * ({@code POST {user}/messages}, base64 MIME), each of those attachments added to it ({@code POST .../attachments}
 * under 3 MB; else {@code .../attachments/createUploadSession} and PUTs of at most 4 MiB, multiples of 320 KiB),
 * then {@code POST .../messages/{id}/send}. If anything fails before the send, the draft is deleted.</li>
 * </ul>
 */
@ApplicationScoped
public class GraphMail {

    /** Graph takes at most 4 MB in one request; the base64 of a message must stay under it. */
    static final long SINGLE_REQUEST = 4_000_000;
    /** Attachments from this size on go through an upload session (Graph: 3 MB to 150 MB). */
    static final int UPLOAD_SESSION_FROM = 3 * 1024 * 1024;
    /** Bytes per PUT: a multiple of 320 KiB, at most 4 MiB. */
    static final int CHUNK = 12 * 320 * 1024;

    private final GraphClient graph;
    private final ObjectMapper json;

    public GraphMail(GraphClient graph, ObjectMapper json) {
        this.graph = graph;
        this.json = json;
    }

    /**
     * Sends {@code mime} as it is.
     *
     * @return what Graph answered, for the item's record
     * @throws GraphFailure Graph refused, or could not be reached
     */
    public String send(UUID mailboxId, GraphTarget target, byte[] mime) {
        if (MimeSplit.base64Size(mime.length) <= SINGLE_REQUEST) {
            GraphClient.Answer answer = graph.call(mailboxId, target, "POST", "sendMail", "text/plain",
                    Base64.getEncoder().encode(mime), true);
            return answer.status() + " accepted by Microsoft Graph (sendMail)";
        }
        MimeSplit.Split split;
        try {
            split = MimeSplit.split(mime, SINGLE_REQUEST);
        } catch (IllegalArgumentException e) {
            throw GraphErrors.answer(413, "ErrorMessageSizeExceeded", "over 4 MB and " + e.getMessage(), null,
                    false);
        }
        String draft = graph.call(mailboxId, target, "POST", "messages", "text/plain",
                Base64.getEncoder().encode(split.draft()), false).body().path("id").asText();
        String draftPath = "messages/" + GraphClient.encode(draft);
        try {
            for (MimeSplit.Attachment attachment : split.attachments()) {
                attach(mailboxId, target, draftPath, attachment);
            }
        } catch (RuntimeException e) {
            discard(mailboxId, target, draftPath);
            throw e;
        }
        GraphClient.Answer answer = graph.call(mailboxId, target, "POST", draftPath + "/send", null, null, true);
        return answer.status() + " accepted by Microsoft Graph (draft with " + split.attachments().size()
                + " attachment(s) added separately)";
    }

    /** Whether Sent Items holds a message with this Message-ID ({@code <...>}, as in the header). */
    public boolean inSentItems(UUID mailboxId, GraphTarget target, String internetMessageId) {
        String filter = "internetMessageId eq '" + internetMessageId.replace("'", "''") + "'";
        GraphClient.Answer answer = graph.call(mailboxId, target, "GET", "mailFolders/SentItems/messages?$filter="
                + GraphClient.encode(filter) + "&$select=id,internetMessageId", null, null, false);
        for (var message : answer.body().path("value")) {
            if (internetMessageId.equals(message.path("internetMessageId").asText())) {
                return true;
            }
        }
        return false;
    }

    private void attach(UUID mailboxId, GraphTarget target, String draftPath, MimeSplit.Attachment attachment) {
        Map<String, Object> item = new LinkedHashMap<>();
        boolean large = attachment.content().length >= UPLOAD_SESSION_FROM;
        if (large) {
            item.put("attachmentType", "file");
            item.put("size", attachment.content().length);
        } else {
            item.put("@odata.type", "#microsoft.graph.fileAttachment");
            item.put("contentBytes", Base64.getEncoder().encodeToString(attachment.content()));
        }
        item.put("name", attachment.name());
        item.put("contentType", attachment.contentType());
        item.put("isInline", attachment.inline());
        if (attachment.contentId() != null) {
            item.put("contentId", attachment.contentId());
        }
        if (!large) {
            graph.call(mailboxId, target, "POST", draftPath + "/attachments", "application/json", write(item), false);
            return;
        }
        String uploadUrl = graph.call(mailboxId, target, "POST", draftPath + "/attachments/createUploadSession",
                "application/json", write(Map.of("AttachmentItem", item)), false).body().path("uploadUrl").asText();
        byte[] content = attachment.content();
        for (int offset = 0; offset < content.length; offset += CHUNK) {
            graph.upload(mailboxId, uploadUrl, content, offset, Math.min(CHUNK, content.length - offset));
        }
    }

    private void discard(UUID mailboxId, GraphTarget target, String draftPath) {
        try {
            graph.call(mailboxId, target, "DELETE", draftPath, null, null, false);
        } catch (GraphFailure e) {
            Log.infof("Could not delete an unsent Graph draft of mailbox %s: %s", mailboxId, e.getMessage());
        }
    }

    private byte[] write(Object value) {
        try {
            return json.writeValueAsString(value).getBytes(StandardCharsets.UTF_8);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
