package dev.mailsync.graph;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;

import dev.mailsync.oauth.MicrosoftConfig;

/**
 * Requests to Microsoft Graph for one mailbox: {@code {graph-url}/v1.0/{userPath}/...} with the target's bearer,
 * through the mailbox's {@link MailboxGates} (4 in flight, nothing during a Retry-After). Any answer but 2xx becomes a
 * {@link GraphFailure} ({@link GraphErrors}); a 429 or 503 with {@code Retry-After} also closes the mailbox's gate
 * for that long.
 * <p>
 * Built on {@code java.net.http.HttpClient} called synchronously: Graph is only called from the outbox's own
 * worker threads, which block on SMTP the same way, never from an event loop; the JDK client needs no extra
 * dependency, has per-request timeouts, and sends byte ranges without copying them. HTTP/1.1 (also on plain
 * {@code http} fakes, where HTTP/2 would try an upgrade). Tokens go only into the {@code Authorization} header:
 * never into a message, a log line or an exception.
 */
@ApplicationScoped
public class GraphClient {

    private final HttpClient http;
    private final String base;
    private final Duration timeout;
    private final Duration defaultRetryAfter;
    private final MailboxGates gates;
    private final ObjectMapper json;

    @Inject
    public GraphClient(MicrosoftConfig microsoft, GraphConfig config, ObjectMapper json) {
        this(microsoft.graphUrl(), config.timeout(), config.concurrencyPerMailbox(), config.defaultRetryAfter(), json);
    }

    /** For tests: a client of the Graph at {@code graphUrl}. */
    public GraphClient(String graphUrl, Duration timeout, int concurrencyPerMailbox, Duration defaultRetryAfter,
            ObjectMapper json) {
        this.base = graphUrl.replaceAll("/+$", "") + "/v1.0/";
        this.timeout = timeout;
        this.defaultRetryAfter = defaultRetryAfter;
        this.gates = new MailboxGates(concurrencyPerMailbox, timeout);
        this.json = json;
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(timeout)
                .followRedirects(HttpClient.Redirect.NEVER).build();
    }

    /** A successful answer: its status, its JSON body (missing when empty or not JSON). */
    public record Answer(int status, JsonNode body) {
    }

    /**
     * One request to {@code {userPath}/{path}} ({@code path} and its query already encoded).
     *
     * @param submission the request hands the mail over: when it fails without a clear refusal, Graph may have
     *            sent it
     * @throws GraphFailure any answer but 2xx, or none
     */
    public Answer call(UUID mailboxId, GraphTarget target, String method, String path, String contentType,
            byte[] body, boolean submission) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + target.userPath() + "/" + path))
                .timeout(timeout).header("Authorization", "Bearer " + target.token())
                .header("Accept", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(body));
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        return exchange(mailboxId, request.build(), submission);
    }

    /**
     * One chunk of an upload session: {@code length} bytes of {@code data} from {@code offset}, which are bytes
     * {@code offset}..{@code offset + length - 1} of a file of {@code data.length}. The upload URL carries its own
     * authorization; Graph refuses a bearer on it, so none is sent.
     */
    public Answer upload(UUID mailboxId, String uploadUrl, byte[] data, int offset, int length) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(uploadUrl)).timeout(timeout)
                .header("Content-Type", "application/octet-stream")
                .header("Content-Range", "bytes " + offset + "-" + (offset + length - 1) + "/" + data.length)
                .PUT(HttpRequest.BodyPublishers.ofByteArray(data, offset, length)).build();
        return exchange(mailboxId, request, false);
    }

    private Answer exchange(UUID mailboxId, HttpRequest request, boolean submission) {
        HttpResponse<byte[]> response;
        try (MailboxGates.Slot slot = gates.enter(mailboxId)) {
            response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (ConnectException e) {
            throw GraphErrors.noAnswer(String.valueOf(e.getMessage()), false);
        } catch (IOException e) {
            throw GraphErrors.noAnswer(e.getClass().getSimpleName() + ": " + e.getMessage(), submission);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw GraphErrors.noAnswer("interrupted", submission);
        }
        int status = response.statusCode();
        JsonNode body = parse(response.body());
        if (status >= 200 && status < 300) {
            return new Answer(status, body);
        }
        Duration retryAfter = retryAfter(response.headers().firstValue("Retry-After")).orElse(null);
        if (status == 429 || (status == 503 && retryAfter != null)) {
            gates.closeFor(mailboxId, retryAfter != null ? retryAfter : defaultRetryAfter);
            if (retryAfter == null) {
                retryAfter = defaultRetryAfter;
            }
        }
        JsonNode error = body.path("error");
        throw GraphErrors.answer(status, error.path("code").asText(null), error.path("message").asText(null),
                retryAfter, submission);
    }

    private JsonNode parse(byte[] body) {
        if (body == null || body.length == 0) {
            return MissingNode.getInstance();
        }
        try {
            return json.readTree(body);
        } catch (IOException e) {
            return MissingNode.getInstance();
        }
    }

    /** {@code Retry-After}: seconds, or an HTTP date. */
    static Optional<Duration> retryAfter(Optional<String> header) {
        if (header.isEmpty() || header.get().isBlank()) {
            return Optional.empty();
        }
        String value = header.get().strip();
        try {
            return Optional.of(Duration.ofSeconds(Math.max(0, Long.parseLong(value))));
        } catch (NumberFormatException e) {
            try {
                Duration left = Duration.between(ZonedDateTime.now(),
                        ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME));
                return Optional.of(left.isNegative() ? Duration.ZERO : left);
            } catch (DateTimeParseException ignored) {
                return Optional.empty();
            }
        }
    }

    /** {@code s} for a path segment or a query value. */
    public static String encode(String s) {
        return java.net.URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
