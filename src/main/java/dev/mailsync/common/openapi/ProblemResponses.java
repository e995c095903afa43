package dev.mailsync.common.openapi;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.eclipse.microprofile.openapi.OASFactory;
import org.eclipse.microprofile.openapi.OASFilter;
import org.eclipse.microprofile.openapi.models.OpenAPI;
import org.eclipse.microprofile.openapi.models.Operation;
import org.eclipse.microprofile.openapi.models.media.MediaType;
import org.eclipse.microprofile.openapi.models.media.Schema;
import org.eclipse.microprofile.openapi.models.responses.APIResponse;
import org.eclipse.microprofile.openapi.models.responses.APIResponses;
import org.eclipse.microprofile.openapi.models.security.SecurityRequirement;

import dev.mailsync.common.problem.Problem;
import dev.mailsync.common.problem.ProblemCode;
import io.quarkus.smallrye.openapi.OpenApiFilter;

/**
 * Gives every operation of the OpenAPI document its problem responses: one {@code application/problem+json}
 * response per status, naming the codes, with an example of each. The codes are those the operation lists in
 * {@code @Extension(name = "x-problem-codes", value = "not_found, message_changed")} plus the ones its shape
 * implies: 401 {@code unauthenticated} when it needs a token, 400 {@code validation_failed} when it takes
 * parameters or a body, the body refusals when it takes one, and 500 {@code internal_error}. Runs at build time;
 * an unknown code or an operation without an {@code operationId} fails the build.
 */
@OpenApiFilter(OpenApiFilter.RunStage.BUILD)
public class ProblemResponses implements OASFilter {

    /** The extension an operation names its own problem codes in (comma-separated wire spellings). */
    public static final String CODES = "x-problem-codes";

    private static final Set<ProblemCode> RETRY_AFTER = EnumSet.of(ProblemCode.RATE_LIMITED, ProblemCode.BUSY,
            ProblemCode.QUERY_TIMEOUT, ProblemCode.SENDING_BUSY);
    private static final Map<String, ProblemCode> BY_CODE = Arrays.stream(ProblemCode.values())
            .collect(Collectors.toMap(ProblemCode::code, Function.identity()));

    @Override
    public void filterOpenAPI(OpenAPI openAPI) {
        openAPI.getComponents().addSchema("Problem", problemSchema());
        openAPI.getComponents().addSchema("FieldError", fieldErrorSchema());
        openAPI.getPaths().getPathItems().forEach((path, item) -> item.getOperations()
                .forEach((method, operation) -> describe(method + " " + path, path, operation)));
    }

    private static void describe(String name, String path, Operation operation) {
        if (operation.getOperationId() == null) {
            throw new IllegalStateException(name + " has no @Operation(operationId = ...)");
        }
        dropRepeatedSecurity(operation);
        Map<Integer, List<ProblemCode>> byStatus = new TreeMap<>();
        codes(name, operation).forEach(code -> byStatus.computeIfAbsent(code.status(), s -> new ArrayList<>())
                .add(code));
        APIResponses responses = operation.getResponses();
        // the scanner copies a method's extensions onto the responses it declares
        responses.getAPIResponses().values().forEach(response -> response.removeExtension(CODES));
        // the framework adds a bare 401/403 to secured operations; ours carry the body and the codes
        responses.removeAPIResponse("401");
        responses.removeAPIResponse("403");
        byStatus.forEach((status, group) -> responses.addAPIResponse(String.valueOf(status), response(path, group)));
    }

    /** The codes the operation lists (the extension is then removed) and those its shape implies. */
    private static Set<ProblemCode> codes(String name, Operation operation) {
        Set<ProblemCode> codes = EnumSet.of(ProblemCode.INTERNAL_ERROR);
        if (needsToken(operation)) {
            codes.add(ProblemCode.UNAUTHENTICATED);
        }
        boolean body = operation.getRequestBody() != null;
        if (body || operation.getParameters() != null && !operation.getParameters().isEmpty()) {
            codes.add(ProblemCode.VALIDATION_FAILED);
        }
        if (body) {
            codes.addAll(List.of(ProblemCode.MALFORMED_BODY, ProblemCode.BODY_TOO_LARGE,
                    ProblemCode.UNSUPPORTED_MEDIA_TYPE));
        }
        Object listed = operation.getExtensions() == null ? null : operation.getExtensions().get(CODES);
        if (listed != null) {
            for (String code : listed.toString().split("[,\\s]+")) {
                ProblemCode known = BY_CODE.get(code);
                if (known == null) {
                    throw new IllegalStateException(name + " lists " + code + ", which is no ProblemCode");
                }
                codes.add(known);
            }
            operation.removeExtension(CODES);
        }
        return codes;
    }

    /** An operation's own alternatives ("bearer, or a signed URL") may repeat the requirement the framework adds. */
    private static void dropRepeatedSecurity(Operation operation) {
        if (operation.getSecurity() != null) {
            Map<Map<String, List<String>>, SecurityRequirement> distinct = new LinkedHashMap<>();
            operation.getSecurity().forEach(r -> distinct.putIfAbsent(schemes(r), r));
            operation.setSecurity(new ArrayList<>(distinct.values()));
        }
    }

    private static boolean needsToken(Operation operation) {
        return operation.getSecurity() != null
                && operation.getSecurity().stream().anyMatch(r -> !schemes(r).isEmpty());
    }

    private static Map<String, List<String>> schemes(SecurityRequirement requirement) {
        return requirement.getSchemes() == null ? Map.of() : requirement.getSchemes();
    }

    private static APIResponse response(String path, List<ProblemCode> codes) {
        MediaType media = OASFactory.createMediaType().schema(OASFactory.createSchema().ref("Problem"));
        for (ProblemCode code : codes) {
            media.addExample(code.code(), OASFactory.createExample().summary(code.title()).value(example(path, code)));
        }
        APIResponse response = OASFactory.createAPIResponse()
                .description(codes.stream().map(c -> "`" + c.code() + "`").collect(Collectors.joining(", ")))
                .content(OASFactory.createContent().addMediaType(Problem.MEDIA_TYPE, media));
        if (codes.stream().anyMatch(RETRY_AFTER::contains)) {
            response.addHeader("Retry-After", OASFactory.createHeader()
                    .description("Seconds to wait before trying again")
                    .schema(OASFactory.createSchema().addType(Schema.SchemaType.INTEGER).minimum(BigDecimal.ONE)));
        }
        if (codes.contains(ProblemCode.UNAUTHENTICATED)) {
            response.addHeader("WWW-Authenticate", OASFactory.createHeader().description("`Bearer`")
                    .schema(OASFactory.createSchema().addType(Schema.SchemaType.STRING)));
        }
        return response;
    }

    private static Map<String, Object> example(String path, ProblemCode code) {
        Map<String, Object> problem = new LinkedHashMap<>();
        problem.put("type", "urn:mailsync:problem:" + code.code());
        problem.put("title", code.title());
        problem.put("status", code.status());
        problem.put("detail", code.exampleDetail());
        problem.put("instance", path.replace("{id}", "9b2f3c1e-8d4a-4f6b-a1c2-3d4e5f607182")
                .replace("{sendId}", "0c6a2f4e-51b7-4d3e-9a8f-2b1c0d9e8f7a").replace("{messageId}", "4711")
                .replace("{attachmentId}", "2").replace("{threadId}", "a1b2c3d4").replace("{folder}", "Archive"));
        problem.put("code", code.code());
        if (code == ProblemCode.VALIDATION_FAILED) {
            Map<String, Object> error = new LinkedHashMap<>(); // a stable document: no Map.of iteration order
            error.put("field", "limit");
            error.put("message", "must be a number from 1 to 200");
            problem.put("errors", List.of(error));
        }
        return problem;
    }

    private static Schema problemSchema() {
        return OASFactory.createSchema().addType(Schema.SchemaType.OBJECT)
                .description("RFC 9457 problem details with a stable machine `code` (see the problem codes in "
                        + "docs/api.md)")
                .addProperty("type", string("`urn:mailsync:problem:` and the code"))
                .addProperty("title", string("Short summary of the kind of problem"))
                .addProperty("status", OASFactory.createSchema().addType(Schema.SchemaType.INTEGER)
                        .description("The HTTP status"))
                .addProperty("detail", string("What went wrong in this request, safe to show"))
                .addProperty("instance", string("The request path"))
                .addProperty("code", string("Stable machine code, e.g. `not_found`; each operation's responses name "
                        + "the codes it can answer"))
                .addProperty("errors", OASFactory.createSchema().addType(Schema.SchemaType.ARRAY)
                        .description("Each invalid field, for validation_failed and malformed_body")
                        .items(OASFactory.createSchema().ref("FieldError")))
                .required(List.of("type", "title", "status", "code"));
    }

    private static Schema fieldErrorSchema() {
        return OASFactory.createSchema().addType(Schema.SchemaType.OBJECT)
                .addProperty("field", string("JSON path in the body, or the parameter or header name"))
                .addProperty("message", string("What is wrong with it"))
                .required(List.of("field", "message"));
    }

    private static Schema string(String description) {
        return OASFactory.createSchema().addType(Schema.SchemaType.STRING).description(description);
    }
}
