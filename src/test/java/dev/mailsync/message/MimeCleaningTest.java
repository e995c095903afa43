package dev.mailsync.message;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

/** What the MIME reader keeps of names, ids and texts from received mail, method by method. */
class MimeCleaningTest {

    @Test
    void shouldCleanFileNames() {
        assertThat(MimeReader.filename("report\r\n\t.pdf")).isEqualTo("report .pdf");
        assertThat(MimeReader.filename("a\u0007b\u001b[31m\u0085c.txt")).isEqualTo("ab[31mc.txt");
        assertThat(MimeReader.filename("  ../x.txt  ")).isEqualTo("../x.txt"); // paths are the download's concern
        assertThat(MimeReader.filename("\r\n\u0000")).isNull();
        assertThat(MimeReader.filename("x".repeat(10_000))).hasSize(MimeReader.MAX_FILENAME);
        // never half a surrogate pair at the cut
        String emoji = "a" + "😀".repeat(300);
        String cut = MimeReader.filename(emoji);
        assertThat(cut.length()).isLessThanOrEqualTo(MimeReader.MAX_FILENAME);
        assertThat(Character.isHighSurrogate(cut.charAt(cut.length() - 1))).isFalse();
    }

    @Test
    void shouldCutTextToAByteBudgetOnACharacterBoundary() {
        assertThat(MimeReader.cut("abc", 3)).isEqualTo("abc");
        assertThat(MimeReader.cut("ääää", 5)).isEqualTo("ää");
        assertThat(MimeReader.cut("€€", 5)).isEqualTo("€");
        assertThat(MimeReader.cut("a😀b", 4)).isEqualTo("a");
        assertThat(MimeReader.cut("a😀b", 5)).isEqualTo("a😀");
        assertThat(MimeReader.cut(null, 1)).isNull();
        String text = "ü".repeat(1000);
        assertThat(MimeReader.cut(text, 1001).getBytes(StandardCharsets.UTF_8).length).isEqualTo(1000);
    }

    @Test
    void shouldMakeSnippetsOfCollapsedWhiteSpace() {
        assertThat(MimeReader.snippet("  Hallo\r\n\r\n  Welt,\t\u0000 wie  geht's?  ")).isEqualTo("Hallo Welt, wie geht's?");
        assertThat(MimeReader.snippet(null)).isNull();
        assertThat(MimeReader.snippet("x ".repeat(1000))).hasSize(200).startsWith("x x x").doesNotContain("  ");
    }

    @Test
    void shouldReadMessageIds() {
        assertThat(MessageHeaders.firstId(" <abc@x.example> (comment)")).isEqualTo("abc@x.example");
        assertThat(MessageHeaders.firstId("bare@x.example")).isEqualTo("bare@x.example");
        assertThat(MessageHeaders.firstId("two words")).isNull();
        assertThat(MessageHeaders.firstId("   ")).isNull();
        assertThat(MessageHeaders.firstId("<" + "i".repeat(2000) + ">")).hasSize(MimeReader.MAX_ID);
        assertThat(MessageHeaders.bracketsOff(" <part1@x> ")).isEqualTo("part1@x");
        assertThat(MessageHeaders.bracketsOff("part1@x")).isEqualTo("part1@x");
        assertThat(MessageHeaders.bracketsOff(null)).isNull();
    }

    @Test
    void shouldKeepTheRootAndTheNewestReferences() {
        assertThat(MessageHeaders.ids("<a@x>\r\n <b@x> junk <c@x>")).containsExactly("a@x", "b@x", "c@x");
        assertThat(MessageHeaders.ids(null)).isEmpty();
        StringBuilder many = new StringBuilder();
        for (int i = 0; i < 150; i++) {
            many.append("<m").append(i).append("@x> ");
        }
        List<String> ids = MessageHeaders.ids(many.toString());
        List<String> expected = new ArrayList<>(List.of("m0@x"));
        for (int i = 51; i < 150; i++) {
            expected.add("m" + i + "@x");
        }
        assertThat(ids).hasSize(MessageHeaders.MAX_REFERENCES).isEqualTo(expected);
    }
}
