package dev.mailsync.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.Set;

import io.smallrye.jwt.build.Jwt;

/** Bearer tokens for test callers, signed with the dev key pair that dev and test mode trust. */
public final class TestUsers {

    public static final String ISSUER = "https://mailsync.dev/local-issuer";
    /** The audience the service expects ({@code quarkus.oidc.token.audience}). */
    public static final String AUDIENCE = "mailsync";
    private static final PrivateKey KEY = loadKey();

    private TestUsers() {
    }

    /** {@code Bearer <jwt>} of a plain user. */
    public static String bearer(String sub) {
        return "Bearer " + Jwt.issuer(ISSUER).audience(AUDIENCE).subject(sub).groups(Set.of()).expiresIn(600).sign(KEY);
    }

    /** {@code Bearer <jwt>} of a member of mailsync-admin. */
    public static String admin(String sub) {
        return "Bearer " + Jwt.issuer(ISSUER).audience(AUDIENCE).subject(sub).groups(Set.of("mailsync-admin")).expiresIn(600)
                .sign(KEY);
    }

    /** A correctly signed token issued for {@code audience}, or for no audience when it is null. */
    public static String forAudience(String sub, String audience) {
        var claims = Jwt.issuer(ISSUER).subject(sub).groups(Set.of()).expiresIn(600);
        return "Bearer " + (audience == null ? claims : claims.audience(audience)).sign(KEY);
    }

    /** A token signed with another key: must be refused. */
    public static String forged(String sub) throws Exception {
        var generator = java.security.KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        return "Bearer " + Jwt.issuer(ISSUER).audience(AUDIENCE).subject(sub)
                .sign(generator.generateKeyPair().getPrivate());
    }

    private static PrivateKey loadKey() {
        try {
            String pem = Files.readString(Path.of("src/dev/dev-jwt-private.pem"))
                    .replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
            return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(pem)));
        } catch (IOException | java.security.GeneralSecurityException e) {
            throw new IllegalStateException("cannot read src/dev/dev-jwt-private.pem", e);
        }
    }
}
