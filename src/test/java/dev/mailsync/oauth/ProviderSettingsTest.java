package dev.mailsync.oauth;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.mailsync.support.TestUsers;
import dev.mailsync.support.MailsyncTest;

@MailsyncTest
class ProviderSettingsTest {

    static final String PATH = "/api/v1/admin/providers/microsoft";
    final String admin = TestUsers.admin("admin-1");

    @Test
    void shouldSaveSettingsAndNeverReturnTheSecret() {
        given().header("Authorization", admin).contentType("application/json")
                .body(Map.of("tenant", "contoso.onmicrosoft.com", "clientId", "app-123", "clientSecret", "TopSecret~42"))
                .put(PATH)
                .then().statusCode(200)
                .body("tenant", equalTo("contoso.onmicrosoft.com"))
                .body("clientId", equalTo("app-123"))
                .body("clientSecretSet", equalTo(true))
                .body("redirectUri", equalTo("http://localhost:8080/api/v1/mailboxes/connect/microsoft/callback"))
                .body(not(containsString("TopSecret")));

        given().header("Authorization", admin).get(PATH)
                .then().statusCode(200)
                .body("clientId", equalTo("app-123"))
                .body("clientSecretSet", equalTo(true))
                .body("clientSecret", nullValue())
                .body(not(containsString("TopSecret")));
    }

    @Test
    void shouldListTheDelegatedPermissionsToGrant() {
        given().header("Authorization", admin).get(PATH)
                .then().statusCode(200)
                .body("permissions.collect { it.api + ': ' + it.permission }", equalTo(List.of(
                        "Microsoft Graph: openid", "Microsoft Graph: email", "Microsoft Graph: profile",
                        "Microsoft Graph: offline_access",
                        "Office 365 Exchange Online: IMAP.AccessAsUser.All", "Office 365 Exchange Online: SMTP.Send",
                        "Microsoft Graph: Mail.Send", "Microsoft Graph: Mail.Send.Shared",
                        "Microsoft Graph: User.Read", "Microsoft Graph: Mail.ReadWrite")));
    }

    @Test
    void shouldKeepSecretWhenOmittedAndRemoveItWhenEmpty() {
        given().header("Authorization", admin).contentType("application/json")
                .body(Map.of("clientId", "app-456", "clientSecret", "s1")).put(PATH).then().statusCode(200);

        given().header("Authorization", admin).contentType("application/json")
                .body(Map.of("clientId", "app-789")).put(PATH)
                .then().statusCode(200)
                .body("tenant", equalTo("common"))
                .body("clientId", equalTo("app-789"))
                .body("clientSecretSet", equalTo(true));

        given().header("Authorization", admin).contentType("application/json")
                .body(Map.of("clientId", "app-789", "clientSecret", "")).put(PATH)
                .then().statusCode(200).body("clientSecretSet", equalTo(false));
    }

    @Test
    void shouldRejectInvalidSettingsAsProblemDetails() {
        given().header("Authorization", admin).contentType("application/json")
                .body(Map.of("tenant", "bad tenant/../x", "clientId", " ")).put(PATH)
                .then().statusCode(400)
                .contentType("application/problem+json")
                .body("status", equalTo(400))
                .body("code", equalTo("validation_failed"))
                .body("title", equalTo("Invalid request"))
                .body("errors.field", hasItem("clientId"))
                .body("errors.field", hasItem("tenant"))
                .body(not(containsString("Exception")));
    }

    @Test
    void shouldRejectMalformedJson() {
        given().header("Authorization", admin).contentType("application/json").body("{\"clientId\": ")
                .put(PATH)
                .then().statusCode(400)
                .contentType("application/problem+json")
                .body("code", equalTo("malformed_body"))
                .body(not(containsString("jackson")));

        given().header("Authorization", admin).contentType("application/json").body("{\"clientId\": [1]}")
                .put(PATH)
                .then().statusCode(400)
                .contentType("application/problem+json")
                .body("errors[0].field", equalTo("clientId"));
    }

    @Test
    void shouldRejectMissingBody() {
        given().header("Authorization", admin).contentType("application/json").put(PATH)
                .then().statusCode(400).contentType("application/problem+json");
    }

    @Test
    void shouldAllowOnlyAdministrators() {
        given().header("Authorization", TestUsers.bearer("someone")).get(PATH)
                .then().statusCode(403)
                .contentType("application/problem+json")
                .body("code", equalTo("forbidden"));
        given().header("Authorization", TestUsers.bearer("someone")).contentType("application/json")
                .body(Map.of("clientId", "evil")).put(PATH)
                .then().statusCode(403);
        given().get(PATH).then().statusCode(401)
                .contentType("application/problem+json")
                .header("WWW-Authenticate", containsString("Bearer"));
    }

    @Test
    void shouldRefuseForgedAndMalformedTokens() throws Exception {
        given().header("Authorization", TestUsers.forged("admin-1")).get(PATH)
                .then().statusCode(401).contentType("application/problem+json");
        given().header("Authorization", "Bearer not-a-jwt").get("/api/v1/mailboxes")
                .then().statusCode(401).contentType("application/problem+json");
    }
}
