package dev.mailsync.oauth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

import org.junit.jupiter.api.Test;

import io.vertx.core.json.JsonObject;

/** The id_token's claims are taken only when they have the type and shape the mailbox needs. */
class IdTokenClaimsTest {

    @Test
    void shouldReadTheAccountAndItsAddress() {
        IdTokenClaims claims = parse(new JsonObject().put("aud", "app").put("nonce", "n1").put("tid", "t-1")
                .put("oid", "o-1").put("email", "adele@contoso.example").put("name", "Adele Vance"));

        assertThat(claims.isFor("app")).isTrue();
        assertThat(claims.hasNonce("n1")).isTrue();
        assertThat(claims.tenantId()).contains("t-1");
        assertThat(claims.objectId()).contains("o-1");
        assertThat(claims.address()).contains("adele@contoso.example");
        assertThat(claims.name()).contains("Adele Vance");
    }

    @Test
    void shouldIgnoreClaimsThatAreNotStrings() {
        IdTokenClaims claims = parse(new JsonObject().put("nonce", new io.vertx.core.json.JsonArray().add("n1"))
                .put("email", new io.vertx.core.json.JsonArray().add("adele@contoso.example"))
                .put("preferred_username", new JsonObject().put("a", "b@c.example"))
                .put("name", new JsonObject().put("x", 1)).put("oid", 42));

        assertThat(claims.hasNonce("[\"n1\"]")).isFalse();
        assertThat(claims.address()).isEmpty();
        assertThat(claims.name()).isEmpty();
        assertThat(claims.objectId()).isEmpty();
    }

    @Test
    void shouldRefuseAddressesThatCouldBreakAHeaderOrALogin() {
        for (String bad : new String[] { "a b@c.example", "a@b@c.example", "<a@c.example>", "a@c.example,b@c.example",
                "\"a\"@c.example", "a@c.example\r\nBcc: x@y.example", "a;b@c.example", "@c.example", "a@" }) {
            assertThat(parse(new JsonObject().put("email", bad)).address()).as(bad).isEmpty();
        }
        assertThat(parse(new JsonObject().put("email", "x y").put("preferred_username", "adele@contoso.example"))
                .address()).contains("adele@contoso.example");
    }

    @Test
    void shouldRefuseWhatIsNotAJwtWithJsonClaims() {
        assertThatThrownBy(() -> IdTokenClaims.parse(null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> IdTokenClaims.parse("nodots")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> IdTokenClaims.parse("a.!!!.c")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> IdTokenClaims.parse("a." + b64("[1,2]") + ".c"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static IdTokenClaims parse(JsonObject claims) {
        return IdTokenClaims.parse(b64("{\"alg\":\"none\"}") + "." + b64(claims.encode()) + ".");
    }

    private static String b64(String json) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }
}
