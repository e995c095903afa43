package dev.mailsync.support;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.Date;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.activation.DataHandler;
import jakarta.mail.Address;
import jakarta.mail.Flags;
import jakarta.mail.Message.RecipientType;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import jakarta.mail.util.ByteArrayDataSource;

import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.http.Request;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.icegreen.greenmail.store.StoredMessage;
import com.icegreen.greenmail.util.GreenMail;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * Microsoft Graph's mail endpoints for {@link FakeGraph}, on GreenMail: MIME {@code sendMail}, drafts from MIME with
 * attachments (small ones by POST, large ones by upload session, whose PUTs are checked as Graph checks them:
 * Content-Range in order, at most 4 MiB, multiples of 320 KiB but the last, no bearer), {@code /send}, and Sent Items
 * searched by {@code internetMessageId}. Sent mail goes into each recipient's GreenMail INBOX (Bcc header removed)
 * and the sender's "Sent Items", as Exchange delivers and files it. Like Graph it allows 4 concurrent requests per
 * mailbox (the 5th: 429 with Retry-After), checks the scopes each endpoint needs, and a test can inject errors (429
 * with Retry-After, 503, Graph error codes) or an accepted message whose answer is lost.
 */
public class FakeGraphMail {

    /** Graph's largest request body (4 MiB) and upload chunk; chunks but the last are multiples of 320 KiB. */
    public static final int MAX_REQUEST = 4 * 1024 * 1024;
    private static final int CHUNK_UNIT = 320 * 1024;
    private static final int MIN_UPLOAD = 3 * 1024 * 1024;
    private static final Session SESSION = Session.getInstance(new Properties());
    private static final Pattern RANGE = Pattern.compile("bytes (\\d+)-(\\d+)/(\\d+)");

    private final GreenMail mail;
    private final OutlookDelivery outlook;
    private final String baseUrl;
    private final Map<String, Draft> drafts = new ConcurrentHashMap<>();
    private final Map<String, Upload> uploads = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> inFlight = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> requests = new ConcurrentHashMap<>();
    private final ConcurrentLinkedDeque<Injected> injected = new ConcurrentLinkedDeque<>();
    private final List<byte[]> submitted = Collections.synchronizedList(new ArrayList<>());
    private final List<String> uploadRanges = Collections.synchronizedList(new ArrayList<>());
    private final AtomicInteger lostAnswers = new AtomicInteger();

    private record Draft(String id, String user, byte[] mime, List<MimeBodyPart> attachments) {
    }

    private static final class Upload {
        final Draft draft;
        final JsonObject item;
        final long size;
        final ByteArrayOutputStream data = new ByteArrayOutputStream();

        Upload(Draft draft, JsonObject item, long size) {
            this.draft = draft;
            this.item = item;
            this.size = size;
        }
    }

    private record Injected(String endpoint, int status, String code, Integer retryAfter) {
    }

    public FakeGraphMail(GreenMail mail, OutlookDelivery outlook, String baseUrl) {
        this.mail = mail;
        this.outlook = outlook;
        this.baseUrl = baseUrl;
    }

    // ---- what tests control and read

    /** The next {@code count} requests to {@code endpoint} ({@code sendMail}, {@code createMessage}, ...) fail so. */
    public void failNext(String endpoint, int count, int status, String code, Integer retryAfterSeconds) {
        for (int i = 0; i < count; i++) {
            injected.add(new Injected(endpoint, status, code, retryAfterSeconds));
        }
    }

    /** The next {@code count} submissions ({@code sendMail}, {@code /send}) are delivered, but the answer is lost. */
    public void acceptThenDrop(int count) {
        lostAnswers.set(count);
    }

    /** Requests per endpoint so far. */
    public int requests(String endpoint) {
        AtomicInteger n = requests.get(endpoint);
        return n == null ? 0 : n.get();
    }

    /** Every message submitted so far, as Graph took it (sendMail: the exact MIME bytes posted). */
    public List<byte[]> submitted() {
        synchronized (submitted) {
            return List.copyOf(submitted);
        }
    }

    /** The Content-Range of every upload PUT so far. */
    public List<String> uploadRanges() {
        synchronized (uploadRanges) {
            return List.copyOf(uploadRanges);
        }
    }

    public void reset() {
        drafts.clear();
        uploads.clear();
        requests.clear();
        injected.clear();
        submitted.clear();
        uploadRanges.clear();
        lostAnswers.set(0);
    }

    // ---- requests

    /** Whether {@link #upload} handles this request (an upload URL carries its own authorization). */
    public boolean isUpload(Request request) {
        return request.getUrl().startsWith("/upload/");
    }

    /**
     * A request to {@code /v1.0/{mailboxPath}/{rest}} by the bearer's {@code user} with its {@code scopes}; null when
     * {@code rest} is no mail endpoint.
     */
    public ResponseDefinition handle(Request request, String user, Set<String> scopes, String rest) {
        String path = rest.contains("?") ? rest.substring(0, rest.indexOf('?')) : rest;
        String method = request.getMethod().getName();
        String[] parts = path.split("/");
        String endpoint = endpoint(method, parts);
        if (endpoint == null) {
            return null;
        }
        requests.computeIfAbsent(endpoint, e -> new AtomicInteger()).incrementAndGet();
        AtomicInteger running = inFlight.computeIfAbsent(user.toLowerCase(Locale.ROOT), u -> new AtomicInteger());
        if (running.incrementAndGet() > 4) {
            running.decrementAndGet();
            return error(429, "ApplicationThrottled", "Application is over its MailboxConcurrency limit.", 1);
        }
        try {
            Injected failure = takeInjected(endpoint);
            if (failure != null) {
                return error(failure.status(), failure.code(), "injected by the test", failure.retryAfter());
            }
            String needed = switch (endpoint) {
                case "sendMail", "send" -> "Mail.Send";
                case "listSentItems" -> "Mail.Read";
                default -> "Mail.ReadWrite";
            };
            boolean granted = scopes.stream().anyMatch(s -> s.endsWith("/" + needed) || s.equals(needed)
                    || (needed.equals("Mail.Read") && s.endsWith("Mail.ReadWrite")));
            if (!granted) {
                return error(403, "ErrorAccessDenied", "Access is denied. Check credentials and try again.", null);
            }
            return switch (endpoint) {
                case "sendMail" -> sendMail(request, user);
                case "createMessage" -> createMessage(request, user);
                case "addAttachment" -> addAttachment(request, draft(user, parts[1]));
                case "createUploadSession" -> createUploadSession(request, draft(user, parts[1]));
                case "send" -> send(user, draft(user, parts[1]));
                case "deleteMessage" -> {
                    drafts.remove(draft(user, parts[1]).id());
                    yield json(204, null);
                }
                default -> listSentItems(request, user);
            };
        } catch (GraphError e) {
            return error(e.status, e.code, e.getMessage(), null);
        } catch (Exception e) {
            return error(500, "ErrorInternalServerError", String.valueOf(e.getMessage()), null);
        } finally {
            running.decrementAndGet();
        }
    }

    /** {@code PUT /upload/{id}}: one chunk of an upload session. */
    public ResponseDefinition upload(Request request) {
        requests.computeIfAbsent("upload", e -> new AtomicInteger()).incrementAndGet();
        String id = request.getUrl().substring("/upload/".length()).replaceAll("\\?.*", "");
        Upload upload = uploads.get(id);
        if (upload == null) {
            return error(404, "ErrorItemNotFound", "The upload session is unknown or expired.", null);
        }
        if (request.containsHeader("Authorization")) {
            return error(401, "InvalidAuthenticationToken", "An upload URL takes no Authorization header.", null);
        }
        String range = request.getHeader("Content-Range");
        uploadRanges.add(range);
        Matcher m = RANGE.matcher(range == null ? "" : range);
        byte[] body = request.getBody();
        if (!m.matches() || Long.parseLong(m.group(3)) != upload.size
                || Long.parseLong(m.group(2)) - Long.parseLong(m.group(1)) + 1 != body.length) {
            return error(400, "invalidRequest", "Content-Range does not describe the body: " + range, null);
        }
        if (Long.parseLong(m.group(1)) != upload.data.size()) {
            return error(416, "invalidRange", "The next expected range starts at " + upload.data.size(), null);
        }
        if (body.length > MAX_REQUEST) {
            return error(413, "RequestEntityTooLarge", "A chunk is at most 4 MiB.", null);
        }
        boolean last = Long.parseLong(m.group(2)) + 1 == upload.size;
        if (!last && body.length % CHUNK_UNIT != 0) {
            return error(400, "invalidRequest", "A chunk but the last is a multiple of 320 KiB.", null);
        }
        upload.data.write(body, 0, body.length);
        if (!last) {
            return json(200, new JsonObject().put("nextExpectedRanges", new JsonArray().add(upload.data.size() + "-")));
        }
        uploads.remove(id);
        upload.draft.attachments().add(part(upload.item, upload.data.toByteArray()));
        return new ResponseDefinitionBuilder().withStatus(201).withHeader("Location", baseUrl + "/attachments/"
                + UUID.randomUUID()).build();
    }

    private static String endpoint(String method, String[] p) {
        if (p.length == 1 && p[0].equalsIgnoreCase("sendMail") && method.equals("POST")) {
            return "sendMail";
        }
        if (p.length == 1 && p[0].equalsIgnoreCase("messages") && method.equals("POST")) {
            return "createMessage";
        }
        if (p.length == 2 && p[0].equalsIgnoreCase("messages") && method.equals("DELETE")) {
            return "deleteMessage";
        }
        if (p.length == 3 && p[0].equalsIgnoreCase("messages") && p[2].equalsIgnoreCase("send")
                && method.equals("POST")) {
            return "send";
        }
        if (p.length == 3 && p[0].equalsIgnoreCase("messages") && p[2].equalsIgnoreCase("attachments")
                && method.equals("POST")) {
            return "addAttachment";
        }
        if (p.length == 4 && p[0].equalsIgnoreCase("messages") && p[3].equalsIgnoreCase("createUploadSession")) {
            return "createUploadSession";
        }
        if (p.length == 3 && p[0].equalsIgnoreCase("mailFolders") && p[1].equalsIgnoreCase("sentitems")
                && p[2].equalsIgnoreCase("messages") && method.equals("GET")) {
            return "listSentItems";
        }
        return null;
    }

    private Injected takeInjected(String endpoint) {
        for (Injected i : injected) {
            if (i.endpoint().equals(endpoint) && injected.removeFirstOccurrence(i)) {
                return i;
            }
        }
        return null;
    }

    private ResponseDefinition sendMail(Request request, String user) throws Exception {
        byte[] mime = mimeBody(request);
        return submit(user, mime);
    }

    private ResponseDefinition createMessage(Request request, String user) throws Exception {
        byte[] mime = mimeBody(request);
        Draft draft = new Draft("AAMkAD" + UUID.randomUUID().toString().replace("-", "") + "=", user, mime,
                Collections.synchronizedList(new ArrayList<>()));
        drafts.put(draft.id(), draft);
        MimeMessage parsed = new MimeMessage(SESSION, new ByteArrayInputStream(mime));
        return json(201, new JsonObject().put("id", draft.id()).put("internetMessageId", parsed.getMessageID())
                .put("isDraft", true));
    }

    private ResponseDefinition addAttachment(Request request, Draft draft) throws Exception {
        checkSize(request);
        JsonObject item = new JsonObject(request.getBodyAsString());
        byte[] content = Base64.getDecoder().decode(item.getString("contentBytes", ""));
        if (content.length > MIN_UPLOAD) {
            throw new GraphError(400, "ErrorAttachmentSizeShouldNotBeGreaterThanMaximumSize",
                    "An attachment over 3 MB needs an upload session.");
        }
        draft.attachments().add(part(item, content));
        return json(201, new JsonObject().put("id", UUID.randomUUID().toString()));
    }

    private ResponseDefinition createUploadSession(Request request, Draft draft) {
        JsonObject item = new JsonObject(request.getBodyAsString()).getJsonObject("AttachmentItem");
        if (item == null || !"file".equalsIgnoreCase(item.getString("attachmentType", "file"))) {
            throw new GraphError(400, "ErrorInvalidParameter", "The value of the parameter 'AttachmentItem' is empty.");
        }
        long size = item.getLong("size", 0L);
        if (size < MIN_UPLOAD) {
            throw new GraphError(400, "ErrorAttachmentSizeShouldNotBeLessThanMinimumSize",
                    "Attachment size must be greater than the minimum size.");
        }
        String id = UUID.randomUUID().toString();
        uploads.put(id, new Upload(draft, item, size));
        return json(201, new JsonObject().put("uploadUrl", baseUrl + "/upload/" + id + "?authtoken=" + UUID.randomUUID())
                .put("nextExpectedRanges", new JsonArray().add("0-")));
    }

    private ResponseDefinition send(String user, Draft draft) throws Exception {
        drafts.remove(draft.id());
        if (draft.attachments().isEmpty()) {
            return submit(user, draft.mime());
        }
        // Exchange adds the attachments to the message it built from the draft's MIME; the Message-ID stays
        MimeMessage message = new MimeMessage(SESSION, new ByteArrayInputStream(draft.mime())) {
            @Override
            protected void updateMessageID() {
            }
        };
        MimeMultipart mixed = (MimeMultipart) message.getContent();
        for (MimeBodyPart part : draft.attachments()) {
            mixed.addBodyPart(part);
        }
        message.setContent(mixed);
        message.saveChanges();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        message.writeTo(out);
        return submit(user, out.toByteArray());
    }

    private ResponseDefinition listSentItems(Request request, String user) throws Exception {
        String filter = query(request.getUrl(), "$filter");
        Matcher m = Pattern.compile("internetMessageId eq '(.*)'").matcher(filter == null ? "" : filter);
        String wanted = m.matches() ? m.group(1).replace("''", "'") : null;
        JsonArray value = new JsonArray();
        for (StoredMessage stored : Mailboxes.folder(mail, user, "Sent Items").getMessages()) {
            String[] ids = stored.getMimeMessage().getHeader("Message-ID");
            String id = ids == null ? null : ids[0].strip();
            if (wanted == null || wanted.equals(id)) {
                value.add(new JsonObject().put("id", "AAMk" + stored.getUid()).put("internetMessageId", id));
            }
        }
        return json(200, new JsonObject().put("value", value));
    }

    /** Delivers like Exchange: each recipient's INBOX without the Bcc header, the sender's Sent Items. */
    private ResponseDefinition submit(String user, byte[] mime) throws Exception {
        MimeMessage message = new MimeMessage(SESSION, new ByteArrayInputStream(mime));
        List<String> recipients = new ArrayList<>();
        for (RecipientType type : new RecipientType[] { RecipientType.TO, RecipientType.CC, RecipientType.BCC }) {
            Address[] addresses = message.getRecipients(type);
            for (Address a : addresses == null ? new Address[0] : addresses) {
                recipients.add(((InternetAddress) a).getAddress());
            }
        }
        if (recipients.isEmpty()) {
            throw new GraphError(400, "ErrorInvalidRecipients", "A message can't be sent because it contains no "
                    + "recipients.");
        }
        submitted.add(mime);
        outlook.fileInSent(user, new MimeMessage(SESSION, new ByteArrayInputStream(mime)));
        MimeMessage copy = new MimeMessage(SESSION, new ByteArrayInputStream(mime));
        copy.removeHeader("Bcc");
        for (String recipient : recipients) {
            if (mail.getUserManager().getUserByEmail(recipient) == null) {
                mail.getUserManager().createUser(recipient, recipient, recipient);
            }
            Mailboxes.folder(mail, recipient, "INBOX").appendMessage(copy, new Flags(), new Date());
        }
        if (lostAnswers.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            return new ResponseDefinitionBuilder().withFault(Fault.CONNECTION_RESET_BY_PEER).build();
        }
        return json(202, null);
    }

    private Draft draft(String user, String id) {
        Draft draft = drafts.get(URLDecoder.decode(id, StandardCharsets.UTF_8));
        if (draft == null || !draft.user().equalsIgnoreCase(user)) {
            throw new GraphError(404, "ErrorItemNotFound", "The specified object was not found in the store.");
        }
        return draft;
    }

    private static byte[] mimeBody(Request request) {
        checkSize(request);
        String type = request.getHeader("Content-Type");
        if (type == null || !type.toLowerCase(Locale.ROOT).startsWith("text/plain")) {
            throw new GraphError(400, "BadRequest", "Expected the base64 of a MIME message as text/plain.");
        }
        try {
            return Base64.getMimeDecoder().decode(request.getBody());
        } catch (IllegalArgumentException e) {
            throw new GraphError(400, "ErrorMimeContentInvalidBase64String", "Invalid base64 string for MIME content.");
        }
    }

    private static void checkSize(Request request) {
        if (request.getBody().length > MAX_REQUEST) {
            throw new GraphError(413, "RequestEntityTooLarge", "The request body is over 4 MiB.");
        }
    }

    private static MimeBodyPart part(JsonObject item, byte[] content) {
        try {
            MimeBodyPart part = new MimeBodyPart();
            part.setDataHandler(new DataHandler(new ByteArrayDataSource(content,
                    item.getString("contentType", "application/octet-stream"))));
            part.setFileName(item.getString("name", "attachment"));
            part.setDisposition(item.getBoolean("isInline", false) ? MimeBodyPart.INLINE : MimeBodyPart.ATTACHMENT);
            if (item.getString("contentId") != null) {
                part.setContentID("<" + item.getString("contentId") + ">");
            }
            return part;
        } catch (MessagingException e) {
            throw new GraphError(400, "ErrorInvalidRequest", e.getMessage());
        }
    }

    private static String query(String url, String name) {
        int q = url.indexOf('?');
        if (q < 0) {
            return null;
        }
        for (String pair : url.substring(q + 1).split("&")) {
            int eq = pair.indexOf('=');
            String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            if (key.equals(name)) {
                return eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            }
        }
        return null;
    }

    private static ResponseDefinition json(int status, JsonObject body) {
        ResponseDefinitionBuilder response = new ResponseDefinitionBuilder().withStatus(status);
        if (body != null) {
            response.withHeader("Content-Type", "application/json").withBody(body.encode());
        }
        return response.build();
    }

    /** Graph's error body; 429 and 503 carry Retry-After (default 1 s and 5 s, as Graph's). */
    public static ResponseDefinition error(int status, String code, String message, Integer retryAfter) {
        ResponseDefinitionBuilder response = new ResponseDefinitionBuilder().withStatus(status)
                .withHeader("Content-Type", "application/json")
                .withBody(new JsonObject().put("error", new JsonObject().put("code", code).put("message", message))
                        .encode());
        Integer wait = retryAfter != null ? retryAfter : status == 429 ? Integer.valueOf(1) : status == 503 ? 5 : null;
        if (wait != null) {
            response.withHeader("Retry-After", String.valueOf(wait));
        }
        return response.build();
    }

    private static final class GraphError extends RuntimeException {
        final int status;
        final String code;

        GraphError(int status, String code, String message) {
            super(message);
            this.status = status;
            this.code = code;
        }
    }
}
