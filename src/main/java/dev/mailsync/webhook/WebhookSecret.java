package dev.mailsync.webhook;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A webhook's signing secret in the Standard Webhooks form {@code whsec_<base64 of 24 to 64 random bytes>}, and the
 * signature it makes: {@code v1,<base64 of HMAC-SHA256(secret bytes, "<webhook-id>.<webhook-timestamp>.<body>")>}.
 */
public final class WebhookSecret {

    static final String PREFIX = "whsec_";
    static final int MIN_BYTES = 24;
    static final int MAX_BYTES = 64;
    private static final SecureRandom RANDOM = new SecureRandom();

    private WebhookSecret() {
    }

    /** A new secret of 32 random bytes. */
    public static String generate() {
        byte[] key = new byte[32];
        RANDOM.nextBytes(key);
        return PREFIX + Base64.getEncoder().encodeToString(key);
    }

    /** What is wrong with a secret a client chose, or null when it is well formed. */
    public static String problem(String secret) {
        if (!secret.startsWith(PREFIX)) {
            return "must start with whsec_";
        }
        try {
            int n = Base64.getDecoder().decode(secret.substring(PREFIX.length())).length;
            return n >= MIN_BYTES && n <= MAX_BYTES ? null
                    : "must hold " + MIN_BYTES + " to " + MAX_BYTES + " bytes after whsec_ (base64)";
        } catch (IllegalArgumentException e) {
            return "must be whsec_ followed by base64";
        }
    }

    /** The {@code webhook-signature} header value for one attempt. */
    public static String sign(String secret, String messageId, long timestamp, String body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(Base64.getDecoder().decode(secret.substring(PREFIX.length())), "HmacSHA256"));
            byte[] digest = mac.doFinal((messageId + "." + timestamp + "." + body).getBytes(StandardCharsets.UTF_8));
            return "v1," + Base64.getEncoder().encodeToString(digest);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
