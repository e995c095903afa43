package dev.mailsync.oauth;

import java.util.Optional;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

/**
 * What Microsoft Graph's {@code GET /v1.0/me} says of the signed-in account: its display name and primary address
 * ({@code mail}, else {@code userPrincipalName}), each only if it is usable.
 */
record GraphMe(Optional<String> displayName, Optional<String> address) {

    /**
     * Reads the answer, which must be about this account ({@code id} is the id_token's {@code oid}).
     *
     * @throws IllegalArgumentException not JSON, or about another account
     */
    static GraphMe parse(String json, String objectId) {
        JsonObject me;
        try {
            me = new JsonObject(json);
        } catch (DecodeException | ClassCastException e) {
            throw new IllegalArgumentException("the answer of /me is not a JSON object");
        }
        if (!string(me, "id").filter(id -> id.equalsIgnoreCase(objectId)).isPresent()) {
            throw new IllegalArgumentException("/me answered another account than the id_token's");
        }
        return new GraphMe(string(me, "displayName").map(String::strip).filter(n -> !n.isEmpty() && n.length() <= 256),
                string(me, "mail").filter(IdTokenClaims::looksLikeAddress)
                        .or(() -> string(me, "userPrincipalName").filter(IdTokenClaims::looksLikeAddress)));
    }

    /** A member that is a JSON string (Vert.x's getString() would turn other types into text). */
    private static Optional<String> string(JsonObject json, String member) {
        return Optional.ofNullable(json.getValue(member)).filter(String.class::isInstance).map(String.class::cast);
    }
}
