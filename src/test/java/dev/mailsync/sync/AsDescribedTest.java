package dev.mailsync.sync;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import jakarta.mail.Flags;

import org.junit.jupiter.api.Test;

import dev.mailsync.imap.MessageOutline;
import dev.mailsync.imap.PartOutline;

/** A text part fetched on its own is used only when the server sends it as it described it. */
class AsDescribedTest {

    private static final MessageOutline OUTLINE = new MessageOutline(1, new Flags(), null, 5_000, new byte[100],
            List.of(text("1", 40), new PartOutline("2", "application/pdf", null, "base64", "attachment", "a.pdf",
                    null, 4_000, false)), false, null);
    private static final Map<String, Long> ASKED = Map.of("1", 1_000L);

    @Test
    void takesTheTextAsDescribed() {
        assertThat(FetchPipeline.asDescribed(OUTLINE, ASKED, Map.of("1", bytes("x".repeat(40))))).isTrue();
    }

    @Test
    void takesBareLineEndsCountedAsCrlfAndSizesThatCountThePartHeader() {
        assertThat(FetchPipeline.asDescribed(OUTLINE, ASKED, Map.of("1", bytes("line\n".repeat(8) + "x")))).isTrue();
        assertThat(FetchPipeline.asDescribed(OUTLINE, ASKED, Map.of("1", bytes("short")))).isTrue();
    }

    @Test
    void refusesAnEmptyOrMissingTextThatHasASize() {
        assertThat(FetchPipeline.asDescribed(OUTLINE, ASKED, Map.of("1", new byte[0]))).isFalse();
        assertThat(FetchPipeline.asDescribed(OUTLINE, ASKED, Map.of())).isFalse();
    }

    @Test
    void refusesATextLongerThanDescribed() {
        assertThat(FetchPipeline.asDescribed(OUTLINE, ASKED, Map.of("1", bytes("x".repeat(60))))).isFalse();
    }

    @Test
    void measuresAPartFetchedInPartAgainstWhatWasAskedFor() {
        MessageOutline big = new MessageOutline(1, new Flags(), null, 90_000, new byte[100],
                List.of(text("1", 80_000)), false, null);
        assertThat(FetchPipeline.asDescribed(big, ASKED, Map.of("1", bytes("x".repeat(1_000))))).isTrue();
        assertThat(FetchPipeline.asDescribed(big, ASKED, Map.of("1", bytes("x".repeat(1_500))))).isFalse();
    }

    private static PartOutline text(String section, long size) {
        return new PartOutline(section, "text/plain", "utf-8", "7bit", null, null, null, size, false);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
