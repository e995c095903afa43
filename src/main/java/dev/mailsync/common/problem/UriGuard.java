package dev.mailsync.common.problem;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.mailsync.common.problem.Problem.FieldError;
import io.quarkus.logging.Log;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * Refuses, before any resource sees it, a request URI that cannot be read as text: malformed percent-encoding or
 * bytes that are not UTF-8 anywhere, and control characters in query parameters (NUL above all: PostgreSQL refuses
 * it in text, and a query failing on it used to answer 500). Line breaks and tabs pass here, as Microsoft's
 * multi-line {@code error_description} on the OAuth callback carries them: the parameters that must not hold them
 * refuse them where they are parsed ({@link QueryParams}). The answer is a 400 problem naming each parameter.
 * Path parameters are checked by name after routing ({@link ParameterGuard}). Non-ASCII must be percent-encoded.
 * (A URI that is no URI at all, such as {@code %ZZ}, never gets here: Quarkus refuses it first with a bare 400.)
 */
@ApplicationScoped
public class UriGuard {

    private final ObjectMapper json;

    public UriGuard(ObjectMapper json) {
        this.json = json;
    }

    void install(@Observes Router router) {
        router.route().order(-2).handler(this::check);
    }

    private void check(RoutingContext ctx) {
        String uri = ctx.request().uri();
        int q = uri.indexOf('?');
        String path = q < 0 ? uri : uri.substring(0, q);
        List<FieldError> errors = new ArrayList<>();
        if (decode(path, false) == null) {
            errors.add(new FieldError("path", "must be valid percent-encoded UTF-8"));
        }
        if (q >= 0) {
            checkQuery(uri.substring(q + 1), errors);
        }
        if (errors.isEmpty()) {
            ctx.next();
        } else {
            respond(ctx, errors);
        }
    }

    private void respond(RoutingContext ctx, List<FieldError> errors) {
        Problem problem = ProblemException.invalid(errors).toProblem().withInstance(ctx.request().path());
        Log.debugf("Refused a request URI: %s", problem.detail());
        try {
            ctx.response().setStatusCode(400).putHeader(HttpHeaders.CONTENT_TYPE, Problem.MEDIA_TYPE)
                    .end(Buffer.buffer(json.writeValueAsBytes(problem)));
        } catch (JsonProcessingException e) {
            ctx.fail(400, e);
        }
    }

    private static void checkQuery(String query, List<FieldError> errors) {
        for (String pair : query.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = decode(eq < 0 ? pair : pair.substring(0, eq), true);
            String value = eq < 0 ? "" : decode(pair.substring(eq + 1), true);
            if (name == null || hasControl(name, false)) {
                errors.add(new FieldError("query", "a parameter name is not valid percent-encoded UTF-8 text"));
            } else if (value == null) {
                errors.add(new FieldError(name, "must be valid percent-encoded UTF-8"));
            } else if (hasControl(value, true)) {
                errors.add(new FieldError(name, "must not contain control characters"));
            }
        }
    }

    /** Whether the text holds a C0 control character or DEL (tab, CR and LF aside when {@code allowLineBreaks}). */
    public static boolean hasControl(String value, boolean allowLineBreaks) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if ((c < 0x20 || c == 0x7f) && !(allowLineBreaks && (c == '\t' || c == '\r' || c == '\n'))) {
                return true;
            }
        }
        return false;
    }

    /** Strict percent-decoding into UTF-8 ({@code +} is a space in a query); null when malformed. */
    private static String decode(String raw, boolean query) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(raw.length());
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '%') {
                if (i + 2 >= raw.length()) {
                    return null;
                }
                int hi = hex(raw.charAt(i + 1));
                int lo = hex(raw.charAt(i + 2));
                if (hi < 0 || lo < 0) {
                    return null;
                }
                bytes.write(hi << 4 | lo);
                i += 2;
            } else if (c == '+' && query) {
                bytes.write(' ');
            } else if (c > 0x7f) {
                return null; // a request line is ASCII: anything else is percent-encoded
            } else {
                bytes.write(c);
            }
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes.toByteArray()))
                    .toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    private static int hex(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        char lower = (char) (c | 0x20);
        return lower >= 'a' && lower <= 'f' ? lower - 'a' + 10 : -1;
    }
}
