package dev.mailsync.sync;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;

import javax.sql.DataSource;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import com.icegreen.greenmail.store.MailFolder;

import dev.mailsync.support.HostileMail;
import dev.mailsync.support.MailboxTestBase;
import dev.mailsync.support.Mailboxes;
import dev.mailsync.support.MailsyncTest;
import dev.mailsync.support.MimeCorpus;
import dev.mailsync.support.TestUsers;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The same corpus (the generated {@link MimeCorpus} and every deliverable {@link HostileMail} kind) synced into two
 * mailboxes, one with whole messages and one from header, BODYSTRUCTURE and text parts, stores the same in every
 * column of every message row (attachments live in the row's {@code attachments} column), except the columns
 * that name the row's own place: {@link #OWN_PLACE}.
 */
@MailsyncTest
class FetchModeEquivalenceTest extends MailboxTestBase {

    /**
     * Columns that differ between two mailboxes whatever the mode: the row's id, its mailbox and folder, the
     * folder's UIDVALIDITY (GreenMail gives each folder its own) and when the row was written.
     */
    static final Set<String> OWN_PLACE = Set.of("id", "mailbox_id", "folder_id", "uidvalidity", "stored_at");
    /**
     * GreenMail fails on BODYSTRUCTURE of these (a NullPointerException inside it on broken RFC 2231 parameter
     * continuations) and drops the connection; Dovecot describes them.
     */
    static final Set<String> GREENMAIL_CANNOT_DESCRIBE = Set.of("rfc2231-continuations-broken");
    private static final Date RECEIVED = new Date(1_780_000_000_000L);

    @Inject
    FetchPipeline pipeline;
    @Inject
    DataSource dataSource;
    @Inject
    MeterRegistry registry;

    @Test
    void shouldStoreTheSameFromPartsAsFromWholeMessages() throws Exception {
        List<HostileMail.Kind> corpus = Stream.concat(MimeCorpus.all().stream(), HostileMail.deliverable().stream()
                .filter(kind -> !GREENMAIL_CANNOT_DESCRIBE.contains(kind.name()))).toList();
        double wholeBytesBefore = fetched();
        String whole = syncCorpus(corpus, FetchMode.WHOLE);
        double wholeBytes = fetched() - wholeBytesBefore;
        double partsReadBefore = reads("parts");
        double partsBytesBefore = fetched();
        String parts = syncCorpus(corpus, FetchMode.PARTS);
        double partsBytes = fetched() - partsBytesBefore;

        Map<Long, Map<String, String>> expected = rows(whole);
        Map<Long, Map<String, String>> actual = rows(parts);
        assertThat(actual.keySet()).isEqualTo(expected.keySet()).hasSize(corpus.size());
        List<String> differences = new ArrayList<>();
        for (Map.Entry<Long, Map<String, String>> row : expected.entrySet()) {
            String kind = corpus.get((int) (row.getKey() - 1)).name();
            row.getValue().forEach((column, value) -> {
                String other = actual.get(row.getKey()).get(column);
                if (!java.util.Objects.equals(value, other)) {
                    differences.add(kind + "." + column + ": whole=" + shorten(value) + " parts=" + shorten(other));
                }
            });
        }
        assertThat(differences).isEmpty();
        // the parts pass really read messages from their parts, and fetched much less
        assertThat(reads("parts") - partsReadBefore).isGreaterThanOrEqualTo(25);
        assertThat(partsBytes).isLessThan(wholeBytes / 2);
    }

    private String syncCorpus(List<HostileMail.Kind> corpus, FetchMode mode) throws Exception {
        String address = Mailboxes.newAccount(mail);
        MailFolder inbox = Mailboxes.folder(mail, address, "INBOX");
        for (HostileMail.Kind kind : corpus) {
            Mailboxes.appendRaw(inbox, kind.raw(), RECEIVED);
        }
        String id = Mailboxes.connect(fake, TestUsers.bearer("modes-" + UUID.randomUUID()), address);
        FetchMode previous = pipeline.switchMode(mode);
        try {
            assertThat(leases.claim(UUID.fromString(id), "test")).isTrue();
            syncer.runPass(UUID.fromString(id), "test");
        } finally {
            pipeline.switchMode(previous);
        }
        assertThat(sql.text("select last_error_code from mailbox_sync where mailbox_id = ?", id)).isNull();
        return id;
    }

    /** Every column of the mailbox's message rows but {@link #OWN_PLACE}, as text, by UID. */
    private Map<Long, Map<String, String>> rows(String mailboxId) throws Exception {
        Map<Long, Map<String, String>> rows = new LinkedHashMap<>();
        try (Connection c = dataSource.getConnection();
                PreparedStatement s = c.prepareStatement("select * from message where mailbox_id = ?::uuid")) {
            s.setString(1, mailboxId);
            try (ResultSet rs = s.executeQuery()) {
                ResultSetMetaData meta = rs.getMetaData();
                while (rs.next()) {
                    Map<String, String> row = new LinkedHashMap<>();
                    for (int i = 1; i <= meta.getColumnCount(); i++) {
                        if (!OWN_PLACE.contains(meta.getColumnName(i))) {
                            row.put(meta.getColumnName(i), rs.getString(i));
                        }
                    }
                    rows.put(rs.getLong("uid"), row);
                }
            }
        }
        assertThat(rows.values().iterator().next()).containsKeys("text_body", "attachments", "search");
        return rows;
    }

    private double fetched() {
        return Stream.of("message", "header", "part")
                .mapToDouble(what -> registry.get("mailsync.sync.fetched").tag("what", what).counter().count()).sum();
    }

    private double reads(String how) {
        return registry.get("mailsync.sync.reads").tag("how", how).counter().count();
    }

    private static String shorten(String value) {
        return value == null || value.length() <= 300 ? value : value.substring(0, 300) + "…(" + value.length() + ")";
    }
}
