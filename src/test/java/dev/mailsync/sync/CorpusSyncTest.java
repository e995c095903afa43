package dev.mailsync.sync;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;


import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import com.icegreen.greenmail.store.MailFolder;

import dev.mailsync.support.Mailboxes;
import dev.mailsync.support.TestUsers;
import dev.mailsync.support.MailsyncTest;
import dev.mailsync.support.MailboxTestBase;

/**
 * Every message of the bench rig's generated corpus (real-world MIME: 13 charsets, RFC 2231 names, forwarded
 * messages, calendar invites and about 2% malformed ones) is stored by a sync pass, the malformed ones flagged.
 * Needs the rig beside the project ({@code ../shared/bench/gen-corpus}, Python 3); skipped without it.
 */
@MailsyncTest
class CorpusSyncTest extends MailboxTestBase {

    static final int COUNT = 500;

    @Test
    void shouldStoreEveryCorpusMessageIncludingMalformedOnes() throws Exception {
        List<Path> files = corpus();
        String address = Mailboxes.newAccount(mail);
        MailFolder inbox = Mailboxes.folder(mail, address, "INBOX");
        for (Path file : files) {
            Mailboxes.appendRaw(inbox, Files.readAllBytes(file));
        }
        String id = Mailboxes.connect(fake, TestUsers.bearer("corpus-" + UUID.randomUUID()), address);

        assertThat(leases.claim(UUID.fromString(id), "test")).isTrue();
        syncer.runPass(UUID.fromString(id), "test");

        assertThat(sql.count("select count(*) from message where mailbox_id = ?", id)).isEqualTo(files.size());
        assertThat(sql.count("select count(*) from message where mailbox_id = ? and malformed", id)).isPositive();
        assertThat(sql.count("select count(*) from message where mailbox_id = ? and has_attachments", id))
                .isGreaterThan(files.size() / 10);
        assertThat(sql.count("select count(*) from message where mailbox_id = ? and (text_body is not null or "
                + "html_body is not null)", id)).isGreaterThan(files.size() * 9 / 10);
        assertThat(sql.count("select count(distinct thread_id) from message where mailbox_id = ?", id))
                .isLessThan(files.size());
        assertThat(sql.text("select last_error_code from mailbox_sync where mailbox_id = ?", id)).isNull();
    }

    private static List<Path> corpus() throws IOException, InterruptedException {
        Path rig = Path.of(System.getenv().getOrDefault("MAILSYNC_BENCH_RIG", "../shared/bench"));
        Assumptions.assumeTrue(Files.isExecutable(rig.resolve("gen-corpus")),
                "the bench rig (../shared/bench/gen-corpus) is not beside the project");
        Path out = Path.of("target", "test-corpus", "Maildir");
        Process gen = new ProcessBuilder(rig.resolve("gen-corpus").toString(), "--count", String.valueOf(COUNT),
                "--seed", "42", "--out", out.toString(), "--force").redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        assertThat(gen.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(gen.exitValue()).isZero();
        try (Stream<Path> cur = Files.list(out.resolve("cur")); Stream<Path> fresh = Files.list(out.resolve("new"))) {
            List<Path> files = Stream.concat(cur, fresh).sorted().toList();
            assertThat(files).hasSize(COUNT);
            return files;
        }
    }

}
