package dev.mailsync.common;

import static dev.mailsync.support.Management.management;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.restassured.RestAssured;

import dev.mailsync.support.Management;
import dev.mailsync.support.TestUsers;
import dev.mailsync.support.MailsyncTest;

@MailsyncTest
class PlatformEndpointsTest {

    @Test
    void shouldAnswerHealthProbesOnTheManagementPort() {
        management().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
        management().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"));
        management().get("/q/health/started").then().statusCode(200).body("status", equalTo("UP"));
    }

    @Test
    void shouldPublishOpenApiAndMetricsOnTheManagementPort() {
        management().get("/q/openapi").then().statusCode(200)
                .body(containsString("/api/v1/mailboxes/connect/microsoft"))
                .body(containsString("/api/v1/admin/providers/microsoft"))
                .body(containsString("/api/v1/mailboxes/{id}/outbox"))
                .body(containsString("SendRequest"))
                .body(containsString("MessagePage")) // the list's JSON, built by PostgreSQL, is documented
                .body(containsString("operationId: sendMessage")) // names for generated clients
                .body(containsString("application/problem+json"))
                .body(containsString("idempotency_key_reused"));
        management().get("/q/metrics").then().statusCode(200).body(containsString("jvm_memory_used_bytes"));
        management().get("/q/swagger-ui/").then().statusCode(200); // dev and test only (always-include=false)
    }

    /** The API port serves the API only: nothing of the management interface leaks through it. */
    @ParameterizedTest
    @ValueSource(strings = { "/q/health", "/q/health/live", "/q/health/ready", "/q/metrics", "/q/openapi",
            "/q/swagger-ui/", "/q/dev-ui" })
    void shouldNotServeManagementEndpointsOnTheApiPort(String path) {
        assertThat(Management.port()).isNotEqualTo(RestAssured.port);
        given().get(path).then().statusCode(404);
    }

    @Test
    void shouldRefuseTokensIssuedForAnotherAudienceOrForNone() {
        given().header("Authorization", TestUsers.forAudience("aud-1", TestUsers.AUDIENCE)).get("/api/v1/mailboxes")
                .then().statusCode(200);
        given().header("Authorization", TestUsers.forAudience("aud-1", "another-service")).get("/api/v1/mailboxes")
                .then().statusCode(401).contentType("application/problem+json");
        given().header("Authorization", TestUsers.forAudience("aud-1", null)).get("/api/v1/mailboxes")
                .then().statusCode(401).contentType("application/problem+json");
    }

    @Test
    void shouldAnswerUnknownApiPathsWithProblemDetails() {
        given().header("Authorization", TestUsers.bearer("u1")).get("/api/v1/nothing-here")
                .then().statusCode(404)
                .contentType("application/problem+json")
                .body("status", equalTo(404))
                .body("type", containsString("not_found"));
        given().header("Authorization", TestUsers.bearer("u1")).put("/api/v1/mailboxes")
                .then().statusCode(405)
                .contentType("application/problem+json")
                .body(not(containsString("Exception")));
    }
}
