package dev.mailsync.common.problem;

import java.time.Duration;
import java.util.List;

/** A failure the API reports as a problem: its {@link ProblemCode} (status, code, title) and a detail safe to show. */
public class ProblemException extends RuntimeException {

    private final ProblemCode code;
    private final List<Problem.FieldError> errors;
    private final Duration retryAfter;

    public ProblemException(ProblemCode code, String detail) {
        this(code, detail, null, null);
    }

    private ProblemException(ProblemCode code, String detail, List<Problem.FieldError> errors, Duration retryAfter) {
        super(detail, null, false, false);
        this.code = code;
        this.errors = errors;
        this.retryAfter = retryAfter;
    }

    /**
     * A refusal the caller may repeat after {@code retryAfter} (sent as {@code Retry-After}): 429 when the caller
     * asked too often, 503 when the service is saturated or a query ran too long.
     */
    public static ProblemException retryAfter(ProblemCode code, String detail, Duration retryAfter) {
        return new ProblemException(code, detail, null, retryAfter);
    }

    /** 400 for request parameters that do not parse, each with what is wrong with it. */
    public static ProblemException invalid(List<Problem.FieldError> errors) {
        return new ProblemException(ProblemCode.VALIDATION_FAILED, "Invalid value for: "
                + String.join(", ", errors.stream().map(Problem.FieldError::field).toList()), List.copyOf(errors),
                null);
    }

    public static ProblemException notFound(String what) {
        return new ProblemException(ProblemCode.NOT_FOUND, what + " does not exist");
    }

    public Problem toProblem() {
        return code.problem(getMessage()).withErrors(errors);
    }

    public int status() {
        return code.status();
    }

    /** The wire spelling of the code, e.g. {@code not_found}. */
    public String code() {
        return code.code();
    }

    public ProblemCode problemCode() {
        return code;
    }

    /** Whole seconds for a {@code Retry-After} header (at least 1), or null when there is none. */
    public Long retryAfterSeconds() {
        return retryAfter == null ? null : Math.max(1, (retryAfter.toMillis() + 999) / 1000);
    }
}
