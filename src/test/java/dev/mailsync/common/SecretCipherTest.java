package dev.mailsync.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import dev.mailsync.common.crypto.SecretCipher;

class SecretCipherTest {

    static final String OLD = key();
    static final String NEW = key();

    @Test
    void shouldRoundTripWithRandomIv() {
        SecretCipher cipher = new SecretCipher(config(OLD, List.of()));

        String a = cipher.encrypt("refresh-token-ÄÖ-✓");
        String b = cipher.encrypt("refresh-token-ÄÖ-✓");

        assertThat(a).isNotEqualTo(b).startsWith("v1:" + cipher.currentKeyId() + ":").doesNotContain("refresh");
        assertThat(cipher.decrypt(a)).isEqualTo("refresh-token-ÄÖ-✓");
        assertThat(cipher.encrypt(null)).isNull();
    }

    @Test
    void shouldReadOldCiphertextsAfterKeyRotation() {
        String written = new SecretCipher(config(OLD, List.of())).encrypt("secret");

        SecretCipher rotated = new SecretCipher(config(NEW, List.of(OLD)));

        assertThat(rotated.decrypt(written)).isEqualTo("secret");
        assertThat(rotated.encrypt("secret")).startsWith("v1:" + rotated.currentKeyId());
        assertThatThrownBy(() -> new SecretCipher(config(NEW, List.of())).decrypt(written))
                .hasMessageContaining("unknown key");
    }

    @Test
    void shouldDetectTampering() {
        SecretCipher cipher = new SecretCipher(config(OLD, List.of()));
        String written = cipher.encrypt("secret");
        int cut = written.lastIndexOf(':') + 1;
        byte[] sealed = Base64.getUrlDecoder().decode(written.substring(cut));
        sealed[sealed.length / 2] ^= 1; // one bit of the ciphertext or tag
        String tampered = written.substring(0, cut) + Base64.getUrlEncoder().withoutPadding().encodeToString(sealed);

        assertThatThrownBy(() -> cipher.decrypt(tampered)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void shouldRejectKeysOfWrongSize() {
        assertThatThrownBy(() -> new SecretCipher(config(Base64.getEncoder().encodeToString(new byte[16]), List.of())))
                .hasMessageContaining("32 bytes");
    }

    private static String key() {
        byte[] bytes = new byte[32];
        new SecureRandom().nextBytes(bytes);
        return Base64.getEncoder().encodeToString(bytes);
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
