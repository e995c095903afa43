package dev.mailsync.sync;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Properties;
import java.util.UUID;

import jakarta.mail.Flags;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;

import org.junit.jupiter.api.Test;

import com.icegreen.greenmail.store.MailFolder;

import dev.mailsync.support.Mailboxes;
import dev.mailsync.support.TestUsers;
import dev.mailsync.support.MailsyncTest;
import dev.mailsync.support.MailboxTestBase;
import dev.mailsync.support.TestProfiles;
import io.quarkus.test.junit.TestProfile;

/** With {@code mailsync.sync.initial-window}, the first pass fetches only recent mail, newest first. */
@MailsyncTest
@TestProfile(TestProfiles.ChangedDefaults.class)
class InitialWindowTest extends MailboxTestBase {

    @Test
    void shouldFetchOnlyTheWindowNewestFirstAndThenKeepUp() throws Exception {
        String address = Mailboxes.newAccount(mail);
        MailFolder inbox = Mailboxes.folder(mail, address, "INBOX");
        for (int i = 0; i < 20; i++) { // 10 from a year ago, then 25 recent ones
            append(inbox, "old " + i, Instant.now().minus(Duration.ofDays(365 - i)));
        }
        for (int i = 0; i < 25; i++) {
            append(inbox, "recent " + i, Instant.now().minus(Duration.ofDays(10)).plusSeconds(i));
        }
        String id = Mailboxes.connect(fake, TestUsers.bearer("window-" + UUID.randomUUID()), address);

        pass(id);

        List<String> subjects = subjectsInStoreOrder(id);
        assertThat(subjects).hasSize(25).allMatch(s -> s.startsWith("recent"));
        // batches of 10 (test configuration), fetched newest first and stored on two connections in turn: the newest
        // batch is among the first two stored (the second may commit first on a busy machine), and stored before the
        // third, which waits for it on the same connection
        List<String> newest = List.of("recent 15", "recent 16", "recent 17", "recent 18", "recent 19", "recent 20",
                "recent 21", "recent 22", "recent 23", "recent 24");
        assertThat(subjects.subList(0, 20)).containsAll(newest);
        int lastOfNewest = newest.stream().mapToInt(subjects::indexOf).max().orElseThrow();
        assertThat(List.of("recent 0", "recent 1", "recent 2", "recent 3", "recent 4"))
                .allMatch(s -> subjects.indexOf(s) > lastOfNewest);

        append(inbox, "new today", Instant.now());
        pass(id);
        assertThat(subjectsInStoreOrder(id)).hasSize(26).contains("new today");
    }

    private void pass(String id) {
        assertThat(leases.claim(UUID.fromString(id), "test")).isTrue();
        syncer.runPass(UUID.fromString(id), "test");
    }

    private static void append(MailFolder folder, String subject, Instant received) throws Exception {
        MimeMessage m = new MimeMessage(Session.getInstance(new Properties()));
        m.setFrom("a@fabrikam.example");
        m.setSubject(subject);
        m.setText("x");
        m.setSentDate(Date.from(received));
        m.saveChanges();
        folder.appendMessage(m, new Flags(), Date.from(received));
    }

    private List<String> subjectsInStoreOrder(String id) throws SQLException {
        return sql.list("select subject from message where mailbox_id = ? order by id", id);
    }
}
