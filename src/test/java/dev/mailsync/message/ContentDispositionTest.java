package dev.mailsync.message;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ContentDispositionTest {

    @Test
    void shouldGiveAnAsciiFallbackAndTheUtf8Name() {
        assertThat(ContentDisposition.attachment("Bericht März.pdf", "attachment"))
                .isEqualTo("attachment; filename=\"Bericht M_rz.pdf\"; filename*=UTF-8''Bericht%20M%C3%A4rz.pdf");
        assertThat(ContentDisposition.attachment("plain.txt", "attachment"))
                .isEqualTo("attachment; filename=\"plain.txt\"; filename*=UTF-8''plain.txt");
    }

    @Test
    void shouldLeaveOutPathsQuotesAndControlCharacters() {
        assertThat(ContentDisposition.attachment("../../etc/passwd", "x"))
                .isEqualTo("attachment; filename=\"passwd\"; filename*=UTF-8''passwd");
        assertThat(ContentDisposition.attachment("C:\\Users\\a\\evil.exe", "x")).startsWith(
                "attachment; filename=\"evil.exe\";");
        assertThat(ContentDisposition.attachment("a\"b\r\nX-Injected: 1.txt", "x"))
                .isEqualTo("attachment; filename=\"a_bX-Injected: 1.txt\"; filename*=UTF-8''a%22bX-Injected%3A%201.txt");
        assertThat(ContentDisposition.attachment("  spaced  +.txt ", "x")).endsWith("filename*=UTF-8''spaced%20%20%2B.txt");
    }

    @Test
    void shouldUseTheFallbackForNamesThatAreNothingOnceCleaned() {
        String fallback = "attachment; filename=\"message-7.eml\"; filename*=UTF-8''message-7.eml";
        assertThat(ContentDisposition.attachment(null, "message-7.eml")).isEqualTo(fallback);
        assertThat(ContentDisposition.attachment(" ", "message-7.eml")).isEqualTo(fallback);
        assertThat(ContentDisposition.attachment("dir/", "message-7.eml")).isEqualTo(fallback);
        assertThat(ContentDisposition.attachment("\r\n\u0000", "message-7.eml")).isEqualTo(fallback);
    }
}
