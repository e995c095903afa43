package dev.mailsync.common.problem;

import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import dev.mailsync.common.problem.Problem.FieldError;

/** Parses query parameters, collecting every problem before answering one 400 that names each field. */
public final class QueryParams {

    /**
     * Times a request may name: ISO 8601's four-digit years. PostgreSQL's {@code timestamptz} ends in the year
     * 294276, and Java reads years up to a billion: a time outside this range would fail in the query (500).
     */
    public static final Instant EARLIEST = Instant.parse("0001-01-01T00:00:00Z");
    public static final Instant LATEST = Instant.parse("9999-12-31T23:59:59.999999Z");

    private final List<FieldError> errors = new ArrayList<>();

    public Boolean bool(String name, String value) {
        if (value == null) {
            return null;
        }
        if (value.equals("true") || value.equals("false")) {
            return Boolean.valueOf(value);
        }
        errors.add(new FieldError(name, "must be true or false"));
        return null;
    }

    public String text(String name, String value, int max) {
        if (value == null || value.isBlank()) {
            return null;
        }
        if (value.length() > max) {
            errors.add(new FieldError(name, "must be at most " + max + " characters"));
        } else if (UriGuard.hasControl(value, false)) {
            errors.add(new FieldError(name, "must not contain control characters"));
        }
        return value;
    }

    public String address(String name, String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        if (!value.matches("[^@\\s\\p{Cntrl}]+@[^@\\s\\p{Cntrl}]+")) {
            errors.add(new FieldError(name, "must be an email address"));
        }
        return value.strip();
    }

    public Instant time(String name, String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            Instant time = value.length() == 10 ? LocalDate.parse(value).atStartOfDay(ZoneOffset.UTC).toInstant()
                    : OffsetDateTime.parse(value).toInstant();
            if (inRange(time)) {
                return time;
            }
            errors.add(new FieldError(name, "must lie between the years 0001 and 9999"));
        } catch (DateTimeParseException e) {
            errors.add(new FieldError(name, "must be an ISO date (2026-11-25) or date-time (2026-11-25T10:00:00Z)"));
        }
        return null;
    }

    /** Whether a time lies within {@link #EARLIEST} and {@link #LATEST}. */
    public static boolean inRange(Instant time) {
        return !time.isBefore(EARLIEST) && !time.isAfter(LATEST);
    }

    public int limit(String value) {
        if (value == null || value.isBlank()) {
            return 50;
        }
        try {
            int limit = Integer.parseInt(value);
            if (limit >= 1 && limit <= 200) {
                return limit;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        errors.add(new FieldError("limit", "must be a number from 1 to 200"));
        return 50;
    }

    /**
     * A value checked by {@code parser}, which throws IllegalArgumentException (NumberFormatException
     * included) for a bad one; null when absent or bad.
     */
    public <T> T parse(String name, String value, Function<String, T> parser, String problem) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return parser.apply(value);
        } catch (IllegalArgumentException e) {
            errors.add(new FieldError(name, problem));
            return null;
        }
    }

    public void check() {
        if (!errors.isEmpty()) {
            throw ProblemException.invalid(errors);
        }
    }
}
