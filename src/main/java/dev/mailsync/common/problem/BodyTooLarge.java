package dev.mailsync.common.problem;

import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.runtime.configuration.MemorySize;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;

/**
 * A request announcing a body over {@code quarkus.http.limits.max-body-size} gets a 413 problem like every other
 * API error (Quarkus's own check, one step later, answers an empty 413). Nothing of the body is read.
 */
@ApplicationScoped
public class BodyTooLarge {

    private final Optional<MemorySize> limit;
    private final ObjectMapper json;

    public BodyTooLarge(@ConfigProperty(name = "quarkus.http.limits.max-body-size") Optional<MemorySize> limit,
            ObjectMapper json) {
        this.limit = limit;
        this.json = json;
    }

    void install(@Observes Router router) {
        limit.ifPresent(max -> router.route().order(-3).handler(ctx -> {
            String length = ctx.request().getHeader(HttpHeaders.CONTENT_LENGTH);
            if (length != null && length.chars().allMatch(Character::isDigit) && length.length() < 19
                    && Long.parseLong(length) > max.asLongValue()) {
                Problem problem = ProblemCode.BODY_TOO_LARGE.problem("The request body is "
                        + length + " bytes; the limit is " + max.asLongValue() + " bytes")
                        .withInstance(ctx.request().path());
                try {
                    ctx.response().setStatusCode(413).putHeader(HttpHeaders.CONTENT_TYPE, Problem.MEDIA_TYPE)
                            .putHeader(HttpHeaders.CONNECTION, "close")
                            .end(Buffer.buffer(json.writeValueAsBytes(problem)));
                } catch (JsonProcessingException e) {
                    ctx.fail(413, e);
                }
                return;
            }
            ctx.next();
        }));
    }
}
