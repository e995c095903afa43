package dev.mailsync.oauth;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * The claims of an id_token received straight from the token endpoint over TLS. OpenID Connect Core 3.1.3.7
 * lets a confidential client rely on that channel instead of the signature; the audience and nonce are
 * still checked.
 */
record IdTokenClaims(JsonObject claims) {

    static IdTokenClaims parse(String idToken) {
        if (idToken == null) {
            throw new IllegalArgumentException("no id_token in the token response");
        }
        String[] parts = idToken.split("\\.");
        if (parts.length < 2) {
            throw new IllegalArgumentException("id_token is not a JWT");
        }
        try {
            return new IdTokenClaims(new JsonObject(
                    new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8)));
        } catch (IllegalArgumentException | DecodeException e) {
            throw new IllegalArgumentException("id_token payload is not base64url JSON");
        }
    }

    boolean isFor(String clientId) {
        Object aud = claims.getValue("aud");
        if (aud instanceof JsonArray list) {
            return list.contains(clientId);
        }
        return clientId.equals(aud);
    }

    boolean hasNonce(String nonce) {
        return string("nonce").filter(nonce::equals).isPresent();
    }

    /** The mailbox address: {@code email}, else {@code preferred_username} (Entra's UPN), if it is one. */
    Optional<String> address() {
        return string("email").filter(IdTokenClaims::looksLikeAddress)
                .or(() -> string("preferred_username").filter(IdTokenClaims::looksLikeAddress));
    }

    /** The tenant the account lives in ({@code tid}): a GUID in Entra. */
    Optional<String> tenantId() {
        return id("tid");
    }

    /**
     * The account's object id ({@code oid}): immutable and unique in its tenant, so with {@link #tenantId()} it
     * identifies the mailbox, where {@code email} may change and is not guaranteed verified.
     */
    Optional<String> objectId() {
        return id("oid");
    }

    Optional<String> name() {
        return string("name").filter(n -> !n.isBlank() && n.length() <= 256);
    }

    private Optional<String> id(String claim) {
        return string(claim).filter(v -> v.matches("[A-Za-z0-9-]{1,64}"));
    }

    /** A claim that is a JSON string: Vert.x's getString() would turn an array or object into its text. */
    private Optional<String> string(String claim) {
        return Optional.ofNullable(claims.getValue(claim)).filter(String.class::isInstance).map(String.class::cast);
    }

    static boolean looksLikeAddress(String value) {
        int at = value.indexOf('@');
        return at > 0 && at == value.lastIndexOf('@') && at < value.length() - 1 && value.length() <= 320
                && value.chars().noneMatch(c -> c <= ' ' || c == 0x7f || "<>()[],;:\\\"".indexOf(c) >= 0);
    }
}
