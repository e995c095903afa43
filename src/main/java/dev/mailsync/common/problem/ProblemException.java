package dev.mailsync.common.problem;

import java.time.Duration;
import java.util.List;

/** A failure the API reports as a problem: status, stable code, title and a detail safe to show. */
public class ProblemException extends RuntimeException {

    private final int status;
    private final String code;
    private final String title;
    private final List<Problem.FieldError> errors;
    private final Duration retryAfter;

    public ProblemException(int status, String code, String title, String detail) {
        this(status, code, title, detail, null, null);
    }

    private ProblemException(int status, String code, String title, String detail, List<Problem.FieldError> errors,
            Duration retryAfter) {
        super(detail, null, false, false);
        this.status = status;
        this.code = code;
        this.title = title;
        this.errors = errors;
        this.retryAfter = retryAfter;
    }

    /** 429 with {@code Retry-After}: the caller asked too often; {@code code} names the limit. */
    public static ProblemException tooManyRequests(String code, String detail, Duration retryAfter) {
        return new ProblemException(429, code, "Too many requests", detail, null, retryAfter);
    }

    /** 503 with {@code Retry-After}: the service is saturated or a query ran too long; try again shortly. */
    public static ProblemException unavailable(String code, String detail, Duration retryAfter) {
        return new ProblemException(503, code, "Service busy", detail, null, retryAfter);
    }

    /** 400 for request parameters that do not parse, each with what is wrong with it. */
    public static ProblemException invalid(List<Problem.FieldError> errors) {
        return new ProblemException(400, "validation_failed", "Invalid request", "Invalid value for: "
                + String.join(", ", errors.stream().map(Problem.FieldError::field).toList()), List.copyOf(errors),
                null);
    }

    public static ProblemException notFound(String what) {
        return new ProblemException(404, "not_found", "Not found", what + " does not exist");
    }

    public Problem toProblem() {
        return Problem.of(status, code, title, getMessage()).withErrors(errors);
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }

    /** Whole seconds for a {@code Retry-After} header (at least 1), or null when there is none. */
    public Long retryAfterSeconds() {
        return retryAfter == null ? null : Math.max(1, (retryAfter.toMillis() + 999) / 1000);
    }
}
