package dev.mailsync.message;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.eclipse.angus.mail.util.QPDecoderStream;
import org.junit.jupiter.api.Test;

/** Our quoted-printable decoder reads every input exactly as Jakarta Mail's (Angus Mail's) does. */
class QuotedPrintableStreamTest {

    /** Heavy on what the decoder treats specially. */
    private static final byte[] ALPHABET = "==== \r\n\t-0123456789abcdefABCDEFgxz\u00ff+_".getBytes(
            StandardCharsets.ISO_8859_1);

    @Test
    void decodesRandomInputLikeJakartaMail() throws IOException {
        Random random = new Random(20261202);
        for (int round = 0; round < 20_000; round++) {
            byte[] input = new byte[random.nextInt(round < 10_000 ? 12 : 400)];
            for (int i = 0; i < input.length; i++) {
                input[i] = random.nextInt(10) == 0 ? (byte) random.nextInt(256)
                        : ALPHABET[random.nextInt(ALPHABET.length)];
            }
            long seed = random.nextLong();
            assertEquals(reads(new QPDecoderStream(new ByteArrayInputStream(input)), seed, input.length),
                    reads(new QuotedPrintableStream(new ByteArrayInputStream(input)), seed, input.length),
                    () -> "input: " + new String(input, StandardCharsets.ISO_8859_1));
        }
    }

    @Test
    void decodesTheCasesThatMatter() throws IOException {
        assertDecodes("caf\u00e9 = d\u00e9j\u00e0 vu", "caf=C3=A9 =3D d=c3=a9j=C3=A0 vu");
        assertDecodes("one line and the next", "one line =\r\nand the =\nnext");
        assertDecodes("trailing\r\nspaces\r\n  kept inside", "trailing   \r\nspaces \r\n  kept inside  ");
        assertDecodes("tab\t\r\n", "tab\t\r\n");
        assertDecodes("=ZZ and =4x", "=ZZ and =4x");
        assertDecodes("ends", "ends=");
        assertDecodes("bare CRs", "bare =\rCRs");
    }

    @Test
    void aLongRunOfSoftLineBreaksIsSkippedWithoutRecursion() throws IOException {
        byte[] input = ("=\r\n".repeat(200_000) + "text").getBytes(StandardCharsets.US_ASCII);
        assertArrayEquals("text".getBytes(StandardCharsets.US_ASCII),
                new QuotedPrintableStream(new ByteArrayInputStream(input)).readAllBytes());
    }

    @Test
    void readsAcrossItsBlocks() throws IOException {
        String text = "x".repeat(8191) + "=C3=A9" + "y".repeat(8190) + "=\r\n" + "z ".repeat(5000) + "   \r\n";
        assertArrayEquals(new QPDecoderStream(new ByteArrayInputStream(text.getBytes(StandardCharsets.US_ASCII)))
                .readAllBytes(), new QuotedPrintableStream(new ByteArrayInputStream(text.getBytes(
                        StandardCharsets.US_ASCII))).readAllBytes());
    }

    private static void assertDecodes(String expected, String encoded) throws IOException {
        byte[] decoded = new QuotedPrintableStream(new ByteArrayInputStream(encoded.getBytes(
                StandardCharsets.ISO_8859_1))).readAllBytes();
        assertEquals(expected, new String(decoded, StandardCharsets.UTF_8));
        assertArrayEquals(new QPDecoderStream(new ByteArrayInputStream(encoded.getBytes(StandardCharsets.ISO_8859_1)))
                .readAllBytes(), decoded);
    }

    /**
     * What a reader sees, step by step: single reads and block reads of random sizes (a decoded {@code -1} in the
     * middle of a block ends that block only, so both kinds are compared).
     */
    private static List<String> reads(InputStream in, long seed, int inputLength) throws IOException {
        Random random = new Random(seed);
        List<String> seen = new ArrayList<>();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int ends = 0;
        for (int step = 0; step < 2 * inputLength + 8 && ends < 3; step++) {
            if (random.nextBoolean()) {
                int c = in.read();
                seen.add("read " + c);
                ends = c < 0 ? ends + 1 : 0;
            } else {
                byte[] block = new byte[1 + random.nextInt(16)];
                int n = in.read(block, 0, block.length);
                seen.add("block " + n);
                if (n > 0) {
                    bytes.write(block, 0, n);
                }
                ends = n < 0 ? ends + 1 : 0;
            }
        }
        seen.add(bytes.toString(StandardCharsets.ISO_8859_1));
        return seen;
    }
}
