package dev.mailsync.common.problem;

import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;

import jakarta.validation.ConstraintViolation;
import jakarta.validation.ConstraintViolationException;
import jakarta.validation.Path;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;

import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;

import dev.mailsync.common.problem.Problem.FieldError;
import io.quarkus.logging.Log;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;

/**
 * Turns every failure of a REST call into {@code application/problem+json}: never a stack trace or a class
 * name. 4xx are logged at DEBUG/WARN, 5xx at ERROR.
 */
public class ProblemMappers {

    @ServerExceptionMapper
    public Response problem(ProblemException e, UriInfo uri) {
        if (e.status() >= 500 && e.retryAfterSeconds() == null) {
            Log.errorf("%s %s: %s", e.code(), uri.getPath(), e.getMessage());
        } else if (e.status() >= 500) {
            Log.warnf("%s %s: %s", e.code(), uri.getPath(), e.getMessage()); // saturation: no stack, no alarm
        } else {
            Log.debugf("%s %s: %s", e.code(), uri.getPath(), e.getMessage());
        }
        Response response = respond(e.toProblem(), uri);
        Long retryAfter = e.retryAfterSeconds();
        return retryAfter == null ? response
                : Response.fromResponse(response).header(HttpHeaders.RETRY_AFTER, retryAfter).build();
    }

    @ServerExceptionMapper
    public Response invalid(ConstraintViolationException e, UriInfo uri) {
        List<FieldError> errors = e.getConstraintViolations().stream()
                .map(v -> new FieldError(fieldOf(v), v.getMessage()))
                .sorted(Comparator.comparing(FieldError::field))
                .toList();
        String fields = errors.stream().map(FieldError::field).distinct().collect(Collectors.joining(", "));
        Problem problem = ProblemCode.VALIDATION_FAILED.problem("Invalid value for: " + fields)
                .withErrors(errors);
        return respond(problem, uri);
    }

    @ServerExceptionMapper({ JsonProcessingException.class, MismatchedInputException.class })
    public Response unreadable(JsonProcessingException e, UriInfo uri) {
        Problem problem = ProblemCode.MALFORMED_BODY.problem("The request body is not valid JSON for this request");
        if (e instanceof JsonMappingException mapping && !mapping.getPath().isEmpty()) {
            String field = mapping.getPath().stream()
                    .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                    .collect(Collectors.joining(".")).replace(".[", "[");
            problem = ProblemCode.MALFORMED_BODY.problem("Unexpected value for: " + field)
                    .withErrors(List.of(new FieldError(field, "has the wrong type or format")));
        }
        return respond(problem, uri);
    }

    @ServerExceptionMapper({ UnauthorizedException.class, AuthenticationFailedException.class })
    public Response unauthenticated(RuntimeException e, UriInfo uri) {
        Problem problem = ProblemCode.UNAUTHENTICATED.problem("Send a valid bearer token in the Authorization header");
        return Response.fromResponse(respond(problem, uri)).header(HttpHeaders.WWW_AUTHENTICATE, "Bearer").build();
    }

    @ServerExceptionMapper
    public Response forbidden(ForbiddenException e, UriInfo uri) {
        return respond(ProblemCode.FORBIDDEN.problem("This operation needs the mailsync-admin role"), uri);
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException e, UriInfo uri) {
        if (e.getCause() instanceof JsonProcessingException json) {
            return unreadable(json, uri);
        }
        Response.StatusType status = e.getResponse().getStatusInfo();
        // the framework's refusals keep the reason phrase as their title ("Not Found" for an unknown route)
        String code = ProblemCode.ofFrameworkStatus(status.getStatusCode()).map(ProblemCode::code)
                .orElse(status.getReasonPhrase().toLowerCase().replace(' ', '_'));
        String detail = switch (status.getStatusCode()) {
            case 400 -> "The request could not be read: check its body and parameters";
            case 404 -> "No resource at this path";
            case 405 -> "This method is not allowed on this resource";
            case 406 -> "This resource cannot produce the requested media type";
            case 415 -> "This media type is not supported here; send application/json";
            default -> status.getReasonPhrase();
        };
        return respond(Problem.of(status.getStatusCode(), code, status.getReasonPhrase(), detail), uri);
    }

    /** Anything else, errors included (a StackOverflowError is no Exception): a 500 problem, the trace only logged. */
    @ServerExceptionMapper
    public Response unexpected(Throwable e, UriInfo uri) {
        Log.errorf(e, "Unexpected failure on %s", uri.getPath());
        return respond(ProblemCode.INTERNAL_ERROR.problem(
                "The request could not be completed; the failure was logged"), uri);
    }

    private static Response respond(Problem problem, UriInfo uri) {
        return Response.status(problem.status())
                .type(Problem.MEDIA_TYPE)
                .entity(problem.withInstance(uri.getPath()))
                .build();
    }

    /**
     * The request field a violation is about: a query or path parameter by its name, a body property by
     * its path inside the body ({@code put.update.clientId} becomes {@code clientId}).
     */
    private static String fieldOf(ConstraintViolation<?> violation) {
        String parameter = null;
        StringBuilder inBody = new StringBuilder();
        for (Path.Node node : violation.getPropertyPath()) {
            switch (node.getKind()) {
                case METHOD, RETURN_VALUE, CROSS_PARAMETER -> {
                }
                case PARAMETER -> parameter = node.getName();
                default -> {
                    if (node.getIndex() != null) {
                        inBody.append('[').append(node.getIndex()).append(']');
                    }
                    if (node.getName() != null) {
                        inBody.append(inBody.isEmpty() ? "" : ".").append(node.getName());
                    }
                }
            }
        }
        if (!inBody.isEmpty()) {
            return inBody.toString();
        }
        return parameter != null ? parameter : "body";
    }
}
