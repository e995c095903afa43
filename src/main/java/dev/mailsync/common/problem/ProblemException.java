package dev.mailsync.common.problem;

import java.util.List;

/** A failure the API reports as a problem: status, stable code, title and a detail safe to show. */
public class ProblemException extends RuntimeException {

    private final int status;
    private final String code;
    private final String title;
    private final List<Problem.FieldError> errors;

    public ProblemException(int status, String code, String title, String detail) {
        this(status, code, title, detail, null);
    }

    private ProblemException(int status, String code, String title, String detail, List<Problem.FieldError> errors) {
        super(detail, null, false, false);
        this.status = status;
        this.code = code;
        this.title = title;
        this.errors = errors;
    }

    /** 400 for request parameters that do not parse, each with what is wrong with it. */
    public static ProblemException invalid(List<Problem.FieldError> errors) {
        return new ProblemException(400, "validation_failed", "Invalid request", "Invalid value for: "
                + String.join(", ", errors.stream().map(Problem.FieldError::field).toList()), List.copyOf(errors));
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
}
