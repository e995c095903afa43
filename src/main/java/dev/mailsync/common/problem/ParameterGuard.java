package dev.mailsync.common.problem;

import java.lang.reflect.Method;
import java.lang.reflect.Parameter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import java.util.regex.Pattern;

import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.UriInfo;

import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import dev.mailsync.common.problem.Problem.FieldError;

/**
 * Checks the path and query parameters of the matched resource method by their Java type before they are converted,
 * so that {@code /mailboxes/not-a-uuid} or {@code /messages/abc} answer a 400 problem naming the parameter (JAX-RS
 * would answer 404, as if the resource did not exist), and a path segment with control characters never reaches
 * a query. Every resource method is covered, including ones added later.
 */
public class ParameterGuard {

    private static final Pattern UUID_TEXT = Pattern.compile(
            "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

    private final Map<Method, List<Check>> checks = new ConcurrentHashMap<>();

    /** One parameter: where it comes from, its name, how to test a value, and what to say when it fails. */
    private record Check(boolean path, String name, Predicate<String> valid, String problem) {
    }

    @ServerRequestFilter
    public void check(ResourceInfo resource, UriInfo uri) {
        Method method = resource.getResourceMethod();
        if (method == null) {
            return;
        }
        List<FieldError> errors = new ArrayList<>();
        for (Check check : checks.computeIfAbsent(method, ParameterGuard::checksOf)) {
            List<String> values = check.path() ? uri.getPathParameters().get(check.name())
                    : uri.getQueryParameters().get(check.name());
            if (values == null) {
                continue;
            }
            for (String value : values) {
                if (!check.valid().test(value)) {
                    errors.add(new FieldError(check.name(), check.problem()));
                    break;
                }
            }
        }
        if (!errors.isEmpty()) {
            throw ProblemException.invalid(errors);
        }
    }

    private static List<Check> checksOf(Method method) {
        List<Check> list = new ArrayList<>();
        for (Parameter parameter : method.getParameters()) {
            PathParam path = parameter.getAnnotation(PathParam.class);
            QueryParam query = parameter.getAnnotation(QueryParam.class);
            if (path == null && query == null) {
                continue;
            }
            String name = path != null ? path.value() : query.value();
            Class<?> type = parameter.getType();
            if (type == UUID.class) {
                list.add(new Check(path != null, name, v -> UUID_TEXT.matcher(v).matches(), "must be a UUID"));
            } else if (type == long.class || type == Long.class) {
                list.add(new Check(path != null, name, ParameterGuard::isLong, "must be a whole number"));
            } else if (type == int.class || type == Integer.class) {
                list.add(new Check(path != null, name, ParameterGuard::isInt, "must be a whole number"));
            } else if (type == boolean.class || type == Boolean.class) {
                list.add(new Check(path != null, name, v -> v.equals("true") || v.equals("false"),
                        "must be true or false"));
            } else if (path != null) {
                // query strings are checked for control characters before routing (UriGuard) and where parsed
                list.add(new Check(true, name, v -> !UriGuard.hasControl(v, false),
                        "must not contain control characters"));
            }
        }
        return List.copyOf(list);
    }

    private static boolean isLong(String value) {
        try {
            Long.parseLong(value);
            return true;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private static boolean isInt(String value) {
        try {
            Integer.parseInt(value);
            return true;
        } catch (NumberFormatException e) {
            return false;
        }
    }
}
