package dev.mailsync.common.openapi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.eclipse.microprofile.openapi.OASFactory;
import org.eclipse.microprofile.openapi.models.OpenAPI;
import org.eclipse.microprofile.openapi.models.Operation;
import org.eclipse.microprofile.openapi.models.media.MediaType;
import org.eclipse.microprofile.openapi.models.parameters.Parameter;
import org.junit.jupiter.api.Test;

/** The build-time filter that gives operations their problem responses, on hand-made documents. */
class ProblemResponsesTest {

    @Test
    void aSecuredOperationWithParametersAnswersItsOwnCodesAndTheImpliedOnes() {
        Operation operation = operation("deleteMessage", "not_found, message_changed, no_trash_folder")
                .security(List.of(OASFactory.createSecurityRequirement().addScheme("bearer")))
                .addParameter(OASFactory.createParameter().name("id").in(Parameter.In.PATH));

        filter("/api/v1/mailboxes/{id}/messages/{messageId}", operation);

        assertEquals(List.of("204", "400", "401", "404", "409", "500"),
                List.copyOf(operation.getResponses().getAPIResponses().keySet()));
        assertEquals("`message_changed`, `no_trash_folder`", operation.getResponses().getAPIResponse("409")
                .getDescription());
        MediaType problem = operation.getResponses().getAPIResponse("404").getContent()
                .getMediaType("application/problem+json");
        assertEquals("#/components/schemas/Problem", problem.getSchema().getRef());
        @SuppressWarnings("unchecked")
        Map<String, Object> example = (Map<String, Object>) problem.getExamples().get("not_found").getValue();
        assertEquals("not_found", example.get("code"));
        assertEquals(404, example.get("status"));
        assertEquals("/api/v1/mailboxes/9b2f3c1e-8d4a-4f6b-a1c2-3d4e5f607182/messages/4711", example.get("instance"));
        assertNull(operation.getExtensions().get(ProblemResponses.CODES));
    }

    @Test
    void aPublicOperationNeedsNoTokenAndALimitSaysWhenToComeBack() {
        Operation operation = operation("requestSync", "rate_limited").security(List.of());

        filter("/api/v1/mailboxes/{id}/sync", operation);

        assertEquals(List.of("204", "429", "500"), List.copyOf(operation.getResponses().getAPIResponses().keySet()));
        assertTrue(operation.getResponses().getAPIResponse("429").getHeaders().containsKey("Retry-After"));
    }

    @Test
    void aTokenOrASignedUrlIsDeclaredOnceEach() {
        Operation operation = operation("getAttachment", "invalid_signature").security(List.of(
                OASFactory.createSecurityRequirement().addScheme("bearer"), OASFactory.createSecurityRequirement(),
                OASFactory.createSecurityRequirement().addScheme("bearer")));

        filter("/a", operation);

        assertEquals(2, operation.getSecurity().size());
        assertEquals(List.of("204", "401", "403", "500"),
                List.copyOf(operation.getResponses().getAPIResponses().keySet()));
    }

    @Test
    void anUnknownCodeOrAMissingOperationIdFailsTheBuild() {
        assertThrows(IllegalStateException.class, () -> filter("/x", operation("x", "not_a_code")));
        assertThrows(IllegalStateException.class, () -> filter("/x", operation(null, "not_found")));
    }

    private static Operation operation(String operationId, String codes) {
        return OASFactory.createOperation().operationId(operationId)
                .responses(OASFactory.createAPIResponses().addAPIResponse("204",
                        OASFactory.createAPIResponse().description("Done")))
                .addExtension(ProblemResponses.CODES, codes);
    }

    private static void filter(String path, Operation operation) {
        OpenAPI openAPI = OASFactory.createOpenAPI().components(OASFactory.createComponents())
                .paths(OASFactory.createPaths().addPathItem(path, OASFactory.createPathItem().DELETE(operation)));
        new ProblemResponses().filterOpenAPI(openAPI);
        assertTrue(openAPI.getComponents().getSchemas().containsKey("Problem"));
    }
}
