package dev.mailsync.message;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.UUID;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import jakarta.enterprise.context.ApplicationScoped;

import dev.mailsync.common.MailsyncConfig;
import dev.mailsync.common.problem.ProblemCode;
import dev.mailsync.common.problem.ProblemException;

/**
 * Short-lived attachment URLs that work without an {@code Authorization} header, so that a browser can load
 * {@code <img src>} and follow {@code <a download>} from a message's HTML. The signature is HMAC-SHA256 over
 * mailbox, message, attachment and expiry, with a key derived from {@code mailsync.encryption-key} (every replica
 * derives the same one); a URL edited to point at another mailbox, message or attachment, or used after its
 * expiry, is refused.
 */
@ApplicationScoped
public class SignedLinks {

    private static final String LABEL = "mailsync signed attachment links v1";

    private final SecretKeySpec key;
    private final String baseUrl;
    private final long ttlSeconds;
    private final long stepSeconds;

    public SignedLinks(MailsyncConfig config, MessageApiConfig api) {
        byte[] secret = config.encryptionKey().map(k -> k.strip().getBytes(StandardCharsets.UTF_8))
                .orElseGet(SignedLinks::randomSecret); // dev and test only: production requires the key
        this.key = new SecretKeySpec(hmac(new SecretKeySpec(secret, "HmacSHA256"), LABEL), "HmacSHA256");
        this.baseUrl = config.publicUrl().replaceAll("/+$", "");
        this.ttlSeconds = Math.max(1, api.signedUrlTtl().toSeconds());
        // expiries are rounded up to a tenth of the lifetime, so that the URLs of one message stay the same for a
        // while (its sanitised HTML, which holds them, can be cached) and live between ttl and 1.1 × ttl
        this.stepSeconds = Math.max(1, ttlSeconds / 10);
    }

    /** The expiry to sign now (epoch seconds). */
    public long expiry() {
        long earliest = Instant.now().getEpochSecond() + ttlSeconds;
        return (earliest + stepSeconds - 1) / stepSeconds * stepSeconds;
    }

    /** The absolute URL of an attachment, signed until {@code expires}. */
    public String attachmentUrl(UUID mailboxId, long messageId, int attachmentId, long expires) {
        return baseUrl + "/api/v1/mailboxes/" + mailboxId + "/messages/" + messageId + "/attachments/" + attachmentId
                + "?expires=" + expires + "&signature=" + signature(mailboxId, messageId, attachmentId, expires);
    }

    String signature(UUID mailboxId, long messageId, int attachmentId, long expires) {
        String data = mailboxId + "\n" + messageId + "\n" + attachmentId + "\n" + expires;
        return Base64.getUrlEncoder().withoutPadding().encodeToString(hmac(key, data));
    }

    /** @throws ProblemException 403 unless the signature is this service's for exactly this attachment, unexpired */
    public void verify(UUID mailboxId, long messageId, int attachmentId, String expires, String signature) {
        long until;
        byte[] given;
        try {
            until = Long.parseLong(expires == null ? "" : expires);
            given = Base64.getUrlDecoder().decode(signature == null ? "" : signature);
        } catch (IllegalArgumentException e) {
            throw refused();
        }
        byte[] expected = Base64.getUrlDecoder().decode(signature(mailboxId, messageId, attachmentId, until));
        if (!MessageDigest.isEqual(expected, given)) { // constant time
            throw refused();
        }
        if (Instant.ofEpochSecond(until).isBefore(Instant.now())) {
            throw new ProblemException(ProblemCode.LINK_EXPIRED,
                    "This attachment link has expired: read the message again for a fresh one");
        }
    }

    private static ProblemException refused() {
        return new ProblemException(ProblemCode.INVALID_SIGNATURE,
                "This attachment link is not valid for this attachment");
    }

    private static byte[] hmac(SecretKeySpec key, String data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] randomSecret() {
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        return secret;
    }
}
