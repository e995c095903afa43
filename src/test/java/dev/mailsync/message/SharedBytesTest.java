package dev.mailsync.message;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import jakarta.mail.util.SharedByteArrayInputStream;

import org.junit.jupiter.api.Test;

import dev.mailsync.support.HostileMail;
import dev.mailsync.support.MimeCorpus;

/**
 * Every message reads the same from {@link SharedBytes} as from Jakarta Mail's own (locking) shared stream: the
 * generated corpus, every hostile kind, and the bench rig's 10,000-message corpus when it is on this machine
 * ({@code MAILSYNC_BENCH_CORPUS_DIR}, default {@code /tmp/bench/corpus/Maildir}).
 */
class SharedBytesTest {

    @Test
    void readsEveryMessageAsJakartaMailsStreamDoes() throws IOException {
        List<byte[]> messages = new ArrayList<>();
        Stream.concat(MimeCorpus.all().stream(), HostileMail.all().stream()).forEach(kind -> messages.add(kind.raw()));
        Path rig = Path.of(System.getenv().getOrDefault("MAILSYNC_BENCH_CORPUS_DIR", "/tmp/bench/corpus/Maildir"), "cur");
        if (Files.isDirectory(rig)) {
            try (Stream<Path> files = Files.list(rig)) {
                for (Path file : files.sorted().toList()) {
                    messages.add(Files.readAllBytes(file));
                }
            }
        }
        List<String> differences = new ArrayList<>();
        for (byte[] raw : messages) {
            // a generous budget: a slow hostile message must not run out in one reading and not the other
            ReadLimits limits = new ReadLimits(ReadLimits.DEFAULT.maxBodyBytes(), java.time.Duration.ofMinutes(1));
            ParsedMessage shared = MimeReader.read(new SharedBytes(raw, 0, raw.length), raw, 0, raw.length, limits);
            ParsedMessage jakarta = MimeReader.read(new SharedByteArrayInputStream(raw, 0, raw.length), raw, 0,
                    raw.length, limits);
            if (!shared.equals(jakarta)) {
                differences.add(String.valueOf(jakarta).substring(0, 200));
            }
        }
        assertThat(messages).hasSizeGreaterThan(100);
        assertThat(differences).isEmpty();
    }

    @Test
    void behavesAsAByteArrayStream() throws IOException {
        byte[] bytes = "0123456789".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        SharedBytes in = new SharedBytes(bytes, 2, 6);
        assertThat(in.read()).isEqualTo('2');
        in.mark(0);
        assertThat(in.readNBytes(3)).containsExactly('3', '4', '5');
        assertThat(in.getPosition()).isEqualTo(4);
        in.reset();
        assertThat(in.getPosition()).isEqualTo(1);
        assertThat(in.skip(100)).isEqualTo(5);
        assertThat(in.read()).isEqualTo(-1);
        assertThat(in.read(new byte[4], 0, 4)).isEqualTo(-1);
        assertThat(((SharedBytes) in.newStream(1, 3)).readAllBytes()).containsExactly('3', '4');
        assertThat(((SharedBytes) in.newStream(4, -1)).readAllBytes()).containsExactly('6', '7');
        assertThat(new SharedBytes(bytes, 8, 100).readAllBytes()).containsExactly('8', '9');
    }
}
