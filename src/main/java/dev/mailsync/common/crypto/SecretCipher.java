package dev.mailsync.common.crypto;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

import jakarta.inject.Singleton;

import dev.mailsync.common.MailsyncConfig;
import io.quarkus.logging.Log;
import io.quarkus.runtime.LaunchMode;
import io.quarkus.runtime.Startup;

/**
 * AES-256-GCM for secrets at rest. A ciphertext reads {@code v2:<key id>:<base64url(iv | ciphertext | tag)>}, and
 * its associated data is the context it belongs to ({@link SecretColumn#context}: column and row), so a value
 * copied to another row or column fails to decrypt. {@code v1} ciphertexts (no associated data, written before
 * the binding existed) stay readable until {@code POST /api/v1/admin/encryption/rotate} rewrites them. The key id
 * is derived from the key, so after a rotation the previous keys still decrypt what they wrote.
 */
@Startup
@Singleton
public class SecretCipher {

    static final String CURRENT_FORMAT = "v2";
    private static final String UNBOUND_FORMAT = "v1";
    private static final int IV_BYTES = 12;
    private static final int TAG_BITS = 128;

    private final SecureRandom random = new SecureRandom();
    private final String currentKeyId;
    private final Map<String, SecretKeySpec> keys = new LinkedHashMap<>();

    public SecretCipher(MailsyncConfig config) {
        byte[] current = config.encryptionKey().map(SecretCipher::decodeKey).orElseGet(SecretCipher::devKey);
        currentKeyId = keyId(current);
        keys.put(currentKeyId, new SecretKeySpec(current, "AES"));
        for (String previous : config.encryptionPreviousKeys().orElse(List.of())) {
            byte[] key = decodeKey(previous);
            keys.putIfAbsent(keyId(key), new SecretKeySpec(key, "AES"));
        }
    }

    /** Encrypts with the current key, bound to {@code context}; {@code null} stays {@code null}. */
    public String encrypt(String plaintext, String context) {
        if (plaintext == null) {
            return null;
        }
        return CURRENT_FORMAT + ":" + currentKeyId + ":" + seal(keys.get(currentKeyId), plaintext, context);
    }

    /**
     * Decrypts a value written by {@link #encrypt} for the same {@code context} (or an unbound {@code v1} value);
     * {@code null} stays {@code null}.
     *
     * @throws SecretUnreadable the value was written for another context, or is damaged
     * @throws IllegalStateException the value was written with a key this replica does not have
     */
    public String decrypt(String ciphertext, String context) {
        if (ciphertext == null) {
            return null;
        }
        String[] parts = ciphertext.split(":", 3);
        if (parts.length != 3 || !(CURRENT_FORMAT.equals(parts[0]) || UNBOUND_FORMAT.equals(parts[0]))) {
            throw new SecretUnreadable("not a mailsync ciphertext");
        }
        SecretKeySpec key = keys.get(parts[1]);
        if (key == null) {
            throw new IllegalStateException("A secret was encrypted with key " + parts[1] + ", which is neither "
                    + "MAILSYNC_ENCRYPTION_KEY nor in MAILSYNC_ENCRYPTION_PREVIOUS_KEYS");
        }
        return open(key, parts[2], CURRENT_FORMAT.equals(parts[0]) ? context : null, parts[1]);
    }

    /** Whether a stored value is in the current format under the current key (nothing to rewrite). */
    public boolean isCurrent(String ciphertext) {
        return ciphertext == null || ciphertext.startsWith(CURRENT_FORMAT + ":" + currentKeyId + ":");
    }

    /** The id of the key a stored value was written with. */
    public static String keyIdOf(String ciphertext) {
        String[] parts = ciphertext.split(":", 3);
        return parts.length == 3 ? parts[1] : "unknown";
    }

    /** The id of the key new ciphertexts are written with. */
    public String currentKeyId() {
        return currentKeyId;
    }

    /** The ids of every configured key, the current one first. */
    public Set<String> keyIds() {
        return keys.keySet();
    }

    /** A value only {@code keyId}'s key can produce, stored when the key is first used ({@link KeyCheck}). */
    String checkValue(String keyId) {
        return seal(keys.get(keyId), KeyCheck.PLAINTEXT, KeyCheck.context(keyId));
    }

    /** Whether {@code checkValue} was written with the configured key of that id. */
    boolean matches(String keyId, String checkValue) {
        SecretKeySpec key = keys.get(keyId);
        try {
            return key != null && KeyCheck.PLAINTEXT.equals(open(key, checkValue, KeyCheck.context(keyId), keyId));
        } catch (SecretUnreadable e) {
            return false;
        }
    }

    private String seal(SecretKeySpec key, String plaintext, String context) {
        try {
            byte[] iv = new byte[IV_BYTES];
            random.nextBytes(iv);
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, iv));
            cipher.updateAAD(context.getBytes(StandardCharsets.UTF_8));
            byte[] sealed = cipher.doFinal(plaintext.getBytes(StandardCharsets.UTF_8));
            byte[] out = new byte[iv.length + sealed.length];
            System.arraycopy(iv, 0, out, 0, iv.length);
            System.arraycopy(sealed, 0, out, iv.length, sealed.length);
            return Base64.getUrlEncoder().withoutPadding().encodeToString(out);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Encryption failed", e);
        }
    }

    /** Opens a sealed value; a {@code null} context means none (the unbound {@code v1} format). */
    private static String open(SecretKeySpec key, String sealed, String context, String keyId) {
        try {
            byte[] in = Base64.getUrlDecoder().decode(sealed);
            if (in.length < IV_BYTES + TAG_BITS / 8) {
                throw new SecretUnreadable("ciphertext too short");
            }
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, in, 0, IV_BYTES));
            if (context != null) {
                cipher.updateAAD(context.getBytes(StandardCharsets.UTF_8));
            }
            return new String(cipher.doFinal(in, IV_BYTES, in.length - IV_BYTES), StandardCharsets.UTF_8);
        } catch (AEADBadTagException | IllegalArgumentException e) {
            throw new SecretUnreadable("the value does not belong here or is damaged (key " + keyId + ")");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Decryption failed (key " + keyId + ")", e);
        }
    }

    private static byte[] decodeKey(String base64) {
        byte[] key;
        try {
            key = Base64.getDecoder().decode(base64.trim());
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("mailsync.encryption-key must be base64 of 32 bytes");
        }
        if (key.length != 32) {
            throw new IllegalStateException("mailsync.encryption-key must be base64 of 32 bytes, got " + key.length);
        }
        return key;
    }

    private static byte[] devKey() {
        if (LaunchMode.current() == LaunchMode.NORMAL) {
            throw new IllegalStateException(
                    "MAILSYNC_ENCRYPTION_KEY is required (base64 of 32 random bytes: openssl rand -base64 32)");
        }
        Log.warn("No MAILSYNC_ENCRYPTION_KEY configured: using a random key for this JVM (dev/test only)");
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        // the same key after a dev-mode reload or a test-profile restart, which keep the embedded database
        System.setProperty("mailsync.encryption-key", Base64.getEncoder().encodeToString(key));
        return key;
    }

    static String keyId(byte[] key) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(key);
            return HexFormat.of().formatHex(digest, 0, 4);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
