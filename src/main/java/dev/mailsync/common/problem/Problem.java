package dev.mailsync.common.problem;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;

/** An RFC 9457 problem details body, with a stable machine {@code code} and field errors for validation. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Problem(String type, String title, int status, String detail, String instance, String code,
        List<FieldError> errors) {

    public static final String MEDIA_TYPE = "application/problem+json";

    public static Problem of(int status, String code, String title, String detail) {
        return new Problem("urn:mailsync:problem:" + code, title, status, detail, null, code, null);
    }

    public Problem withInstance(String instance) {
        return new Problem(type, title, status, detail, instance, code, errors);
    }

    public Problem withErrors(List<FieldError> errors) {
        return new Problem(type, title, status, detail, instance, code, errors);
    }

    /** One invalid field: its JSON path (or query parameter name) and what is wrong with it. */
    public record FieldError(String field, String message) {
    }
}
