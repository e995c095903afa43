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

import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

import jakarta.inject.Singleton;

import dev.mailsync.common.MailsyncConfig;
import io.quarkus.logging.Log;
import io.quarkus.runtime.LaunchMode;
import io.quarkus.runtime.Startup;

/**
 * AES-256-GCM for secrets at rest. A ciphertext reads {@code v1:<key id>:<base64url(iv | ciphertext | tag)>};
 * the key id is derived from the key, so after a rotation the previous keys still decrypt what they wrote.
 */
@Startup
@Singleton
public class SecretCipher {

    private static final String PREFIX = "v1";
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

    /** Encrypts with the current key; {@code null} stays {@code null}. */
    public String encrypt(String plaintext) {
        if (plaintext == null) {
            return null;
        }
        try {
            byte[] iv = new byte[IV_BYTES];
            random.nextBytes(iv);
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, keys.get(currentKeyId), new GCMParameterSpec(TAG_BITS, iv));
            byte[] sealed = cipher.doFinal(plaintext.getBytes(StandardCharsets.UTF_8));
            byte[] out = new byte[iv.length + sealed.length];
            System.arraycopy(iv, 0, out, 0, iv.length);
            System.arraycopy(sealed, 0, out, iv.length, sealed.length);
            return PREFIX + ":" + currentKeyId + ":" + Base64.getUrlEncoder().withoutPadding().encodeToString(out);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Encryption failed", e);
        }
    }

    /** Decrypts a value written by {@link #encrypt}; {@code null} stays {@code null}. */
    public String decrypt(String ciphertext) {
        if (ciphertext == null) {
            return null;
        }
        String[] parts = ciphertext.split(":", 3);
        if (parts.length != 3 || !PREFIX.equals(parts[0])) {
            throw new IllegalStateException("Not a mailsync ciphertext");
        }
        SecretKeySpec key = keys.get(parts[1]);
        if (key == null) {
            throw new IllegalStateException("Ciphertext was written with unknown key " + parts[1]
                    + ": add that key to mailsync.encryption-previous-keys");
        }
        try {
            byte[] in = Base64.getUrlDecoder().decode(parts[2]);
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, in, 0, IV_BYTES));
            return new String(cipher.doFinal(in, IV_BYTES, in.length - IV_BYTES), StandardCharsets.UTF_8);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IllegalStateException("Decryption failed (key " + parts[1] + ")", e);
        }
    }

    /** The id of the key new ciphertexts are written with. */
    public String currentKeyId() {
        return currentKeyId;
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
