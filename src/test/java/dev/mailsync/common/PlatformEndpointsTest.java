package dev.mailsync.common;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;

import org.junit.jupiter.api.Test;

import dev.mailsync.support.TestUsers;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
class PlatformEndpointsTest {

    @Test
    void shouldAnswerHealthProbes() {
        given().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
        given().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"));
        given().get("/q/health/started").then().statusCode(200).body("status", equalTo("UP"));
    }

    @Test
    void shouldPublishOpenApiAndSwaggerUi() {
        given().get("/q/openapi").then().statusCode(200)
                .body(containsString("/api/v1/mailboxes/connect/microsoft"))
                .body(containsString("/api/v1/admin/providers/microsoft"))
                .body(containsString("/api/v1/mailboxes/{id}/outbox"))
                .body(containsString("SendRequest"))
                .body(containsString("MessagePage")); // the list's JSON, built by PostgreSQL, is documented
        given().get("/q/swagger-ui/").then().statusCode(200);
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
