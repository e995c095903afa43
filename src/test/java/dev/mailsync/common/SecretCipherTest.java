package dev.mailsync.common;

import static dev.mailsync.support.Ciphers.cipher;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Base64;

import org.junit.jupiter.api.Test;

import dev.mailsync.common.crypto.SecretCipher;
import dev.mailsync.common.crypto.SecretColumn;
import dev.mailsync.common.crypto.SecretUnreadable;
import dev.mailsync.support.Ciphers;

class SecretCipherTest {

    static final String OLD = Ciphers.key();
    static final String NEW = Ciphers.key();
    static final String ROW = "mailbox.refresh_token:1b4e28ba-2fa1-11d2-883f-0016d3cca427";

    @Test
    void shouldRoundTripWithRandomIv() {
        SecretCipher cipher = cipher(OLD);

        String a = cipher.encrypt("refresh-token-ÄÖ-✓", ROW);
        String b = cipher.encrypt("refresh-token-ÄÖ-✓", ROW);

        assertThat(a).isNotEqualTo(b).startsWith("v2:" + cipher.currentKeyId() + ":").doesNotContain("refresh");
        assertThat(cipher.decrypt(a, ROW)).isEqualTo("refresh-token-ÄÖ-✓");
        assertThat(cipher.encrypt(null, ROW)).isNull();
        assertThat(cipher.isCurrent(a)).isTrue();
    }

    @Test
    void shouldNotDecryptAValueMovedToAnotherRowOrColumn() {
        SecretCipher cipher = cipher(OLD);
        String written = cipher.encrypt("secret", SecretColumn.MAILBOX_REFRESH_TOKEN.context("row-a"));

        assertThatThrownBy(() -> cipher.decrypt(written, SecretColumn.MAILBOX_REFRESH_TOKEN.context("row-b")))
                .isInstanceOf(SecretUnreadable.class);
        assertThatThrownBy(() -> cipher.decrypt(written, SecretColumn.MAILBOX_ACCESS_TOKEN.context("row-a")))
                .isInstanceOf(SecretUnreadable.class);
        assertThat(cipher.decrypt(written, SecretColumn.MAILBOX_REFRESH_TOKEN.context("row-a"))).isEqualTo("secret");
    }

    @Test
    void shouldStillReadTheUnboundFormatAndMarkItForRewriting() throws Exception {
        String legacy = Ciphers.legacyV1(OLD, "secret");
        SecretCipher cipher = cipher(OLD);

        assertThat(cipher.decrypt(legacy, ROW)).isEqualTo("secret");
        assertThat(cipher.isCurrent(legacy)).isFalse();
    }

    @Test
    void shouldReadOldCiphertextsAfterKeyRotation() {
        String written = cipher(OLD).encrypt("secret", ROW);

        SecretCipher rotated = cipher(NEW, OLD);

        assertThat(rotated.decrypt(written, ROW)).isEqualTo("secret");
        assertThat(rotated.isCurrent(written)).isFalse();
        assertThat(rotated.encrypt("secret", ROW)).startsWith("v2:" + rotated.currentKeyId());
        assertThatThrownBy(() -> cipher(NEW).decrypt(written, ROW))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("MAILSYNC_ENCRYPTION_PREVIOUS_KEYS");
    }

    @Test
    void shouldDetectTampering() {
        SecretCipher cipher = cipher(OLD);
        String written = cipher.encrypt("secret", ROW);
        int cut = written.lastIndexOf(':') + 1;
        byte[] sealed = Base64.getUrlDecoder().decode(written.substring(cut));
        sealed[sealed.length / 2] ^= 1; // one bit of the ciphertext or tag
        String tampered = written.substring(0, cut) + Base64.getUrlEncoder().withoutPadding().encodeToString(sealed);

        assertThatThrownBy(() -> cipher.decrypt(tampered, ROW)).isInstanceOf(SecretUnreadable.class);
        assertThatThrownBy(() -> cipher.decrypt("v2:" + cipher.currentKeyId() + ":AAAA", ROW))
                .isInstanceOf(SecretUnreadable.class);
    }

    @Test
    void shouldRejectKeysOfWrongSize() {
        assertThatThrownBy(() -> cipher(Base64.getEncoder().encodeToString(new byte[16])))
                .hasMessageContaining("32 bytes");
    }
}
