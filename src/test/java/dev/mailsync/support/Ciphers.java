package dev.mailsync.support;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

import org.eclipse.microprofile.config.ConfigProvider;

import dev.mailsync.common.MailsyncConfig;
import dev.mailsync.common.crypto.SecretCipher;

/** Encryption keys and ciphers for tests, and the format written before values were bound to their rows. */
public final class Ciphers {

    private Ciphers() {
    }

    /** A fresh key, base64 like {@code MAILSYNC_ENCRYPTION_KEY}. */
    public static String key() {
        byte[] bytes = new byte[32];
        new SecureRandom().nextBytes(bytes);
        return Base64.getEncoder().encodeToString(bytes);
    }

    /** The key of the running test application (dev and test generate one per JVM). */
    public static String applicationKey() {
        return ConfigProvider.getConfig().getValue("mailsync.encryption-key", String.class);
    }

    /** A cipher with {@code key} as current key and {@code previous} as earlier ones. */
    public static SecretCipher cipher(String key, String... previous) {
        return new SecretCipher(config(key, List.of(previous)));
    }

    /** A {@code v1} value as written before the row binding: AES-GCM without associated data. */
    public static String legacyV1(String key, String plaintext) throws Exception {
        byte[] raw = Base64.getDecoder().decode(key);
        byte[] iv = new byte[12];
        new SecureRandom().nextBytes(iv);
        Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
        cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(raw, "AES"), new GCMParameterSpec(128, iv));
        byte[] sealed = cipher.doFinal(plaintext.getBytes(StandardCharsets.UTF_8));
        byte[] out = new byte[iv.length + sealed.length];
        System.arraycopy(iv, 0, out, 0, iv.length);
        System.arraycopy(sealed, 0, out, iv.length, sealed.length);
        String keyId = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(raw), 0, 4);
        return "v1:" + keyId + ":" + Base64.getUrlEncoder().withoutPadding().encodeToString(out);
    }

    private static MailsyncConfig config(String key, List<String> previous) {
        return new MailsyncConfig() {
            @Override
            public String publicUrl() {
                return "http://localhost";
            }

            @Override
            public Optional<String> frontendUrl() {
                return Optional.empty();
            }

            @Override
            public Optional<String> frontendOrigin() {
                return Optional.empty();
            }

            @Override
            public Optional<String> encryptionKey() {
                return Optional.of(key);
            }

            @Override
            public Optional<List<String>> encryptionPreviousKeys() {
                return Optional.of(previous);
            }
        };
    }
}
