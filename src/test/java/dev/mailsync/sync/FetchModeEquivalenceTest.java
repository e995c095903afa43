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
 * The same corpus (the generated {@link MimeCorpus} and every deliverable {@link HostileMail} kind) synced twice
 * from scratch, once with whole messages and once from header, BODYSTRUCTURE and text parts, stores the same in
 * every column of every message row (attachments live in the row's {@code attachments} column; the search vector
 * is compared too), except the row's own id and write time ({@link #OWN_PLACE}).
 */
@MailsyncTest
class FetchModeEquivalenceTest extends MailboxTestBase {

    /** Columns that differ between two passes whatever the mode: the row's id and when it was written. */
    static final Set<String> OWN_PLACE = Set.of("id", "stored_at");
    /**
     * What the parts cannot tell, by kind and column: a multipart whose closing boundary never comes reads the
     * same (text, attachments) but only the whole message shows that it was not closed, which marks it malformed.
     */
    static final Map<String, Set<String>> KNOWN = Map.of("unclosed-multipart", Set.of("malformed", "parse_problems"),
            "multipart-boundary-never-closed", Set.of("malformed", "parse_problems"));
    private static final Date RECEIVED = new Date(1_780_000_000_000L);

    @Inject
    FetchPipeline pipeline;
    @Inject
    DataSource dataSource;
    @Inject
    MeterRegistry registry;

    @Test
    void shouldStoreTheSameFromPartsAsFromWholeMessages() throws Exception {
        List<HostileMail.Kind> corpus = Stream.concat(MimeCorpus.all().stream(), HostileMail.deliverable().stream())
                .toList();
        String address = Mailboxes.newAccount(mail);
        MailFolder inbox = Mailboxes.folder(mail, address, "INBOX");
        for (HostileMail.Kind kind : corpus) {
            Mailboxes.appendRaw(inbox, kind.raw(), RECEIVED);
        }
        String id = Mailboxes.connect(fake, TestUsers.bearer("modes-" + UUID.randomUUID()), address);

        Map<String, Double> before = fetched();
        Map<Long, Map<String, String>> expected = sync(id, FetchMode.WHOLE);
        Map<String, Double> afterWhole = fetched();
        double partsReadBefore = reads("parts");
        Map<Long, Map<String, String>> actual = sync(id, FetchMode.PARTS);
        Map<String, Double> afterParts = fetched();

        assertThat(actual.keySet()).isEqualTo(expected.keySet()).hasSize(corpus.size());
        List<String> differences = new ArrayList<>();
        for (Map.Entry<Long, Map<String, String>> row : expected.entrySet()) {
            String kind = corpus.get((int) (row.getKey() - 1)).name();
            row.getValue().forEach((column, value) -> {
                String other = actual.get(row.getKey()).get(column);
                if (KNOWN.getOrDefault(kind, Set.of()).contains(column)) {
                    return;
                }
                if (!GreenMailQuirks.same(column, value, other)) {
                    differences.add(kind + "." + column + ": whole=" + shorten(value) + " parts=" + shorten(other));
                }
            });
        }
        assertThat(differences).isEmpty();
        // the parts pass read the generated messages from their parts, leaving their attachments on the server
        assertThat(reads("parts") - partsReadBefore).isGreaterThanOrEqualTo(25);
        double wholeBodies = afterWhole.get("message") - before.get("message");
        double partsBodies = afterParts.get("message") - afterWhole.get("message")
                + afterParts.get("part") - afterWhole.get("part");
        assertThat(partsBodies).isLessThan(wholeBodies - 1_000_000);
    }

    /** One pass from scratch in a fetch mode (what an earlier pass stored is dropped first); answers the rows. */
    private Map<Long, Map<String, String>> sync(String mailboxId, FetchMode mode) throws Exception {
        sql.execute("delete from message where mailbox_id = ?", mailboxId);
        sql.execute("update folder set uidvalidity = null, uidnext = null, highest_modseq = null, synced_at = null "
                + "where mailbox_id = ?", mailboxId);
        FetchMode previous = pipeline.switchMode(mode);
        try {
            assertThat(leases.claim(UUID.fromString(mailboxId), "test")).isTrue();
            syncer.runPass(UUID.fromString(mailboxId), "test");
        } finally {
            pipeline.switchMode(previous);
        }
        assertThat(sql.text("select last_error_code from mailbox_sync where mailbox_id = ?", mailboxId)).isNull();
        return rows(mailboxId);
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

    /**
     * GreenMail's two departures from RFC 3501 that the parts see and a whole message does not (Dovecot has
     * neither, see {@code DovecotOutlineTest}): the size of a body part in BODYSTRUCTURE counts the part's own
     * header too, and {@code BODY[n]} drops the line break that ends a part. Every other field is compared as is.
     */
    static final class GreenMailQuirks {
        private static final com.fasterxml.jackson.databind.ObjectMapper JSON =
                new com.fasterxml.jackson.databind.ObjectMapper();
        /** Bytes of part header that GreenMail may add to a size (one hostile kind has a 100 KB file name). */
        private static final long HEADER_ALLOWANCE = 128 * 1024;

        static boolean same(String column, String whole, String parts) {
            if (java.util.Objects.equals(whole, parts)) {
                return true;
            }
            if (whole == null || parts == null) {
                return false;
            }
            if (column.equals("text_body") || column.equals("html_body")) {
                return whole.equals(parts + "\r\n") || whole.equals(parts + "\n");
            }
            if (column.equals("attachments")) {
                try {
                    List<Map<String, Object>> a = JSON.readValue(whole, List.class);
                    List<Map<String, Object>> b = JSON.readValue(parts, List.class);
                    if (a.size() != b.size()) {
                        return false;
                    }
                    for (int i = 0; i < a.size(); i++) {
                        long sizeA = ((Number) a.get(i).remove("size")).longValue();
                        long sizeB = ((Number) b.get(i).remove("size")).longValue();
                        if (!a.get(i).equals(b.get(i)) || sizeB < sizeA || sizeB - sizeA > HEADER_ALLOWANCE) {
                            return false;
                        }
                    }
                    return true;
                } catch (java.io.IOException e) {
                    throw new IllegalStateException(e);
                }
            }
            return false;
        }
    }

    private Map<String, Double> fetched() {
        Map<String, Double> bytes = new LinkedHashMap<>();
        for (String what : List.of("message", "header", "part")) {
            bytes.put(what, registry.get("mailsync.sync.fetched").tag("what", what).counter().count());
        }
        return bytes;
    }

    private double reads(String how) {
        return registry.get("mailsync.sync.reads").tag("how", how).counter().count();
    }

    private static String shorten(String value) {
        return value == null || value.length() <= 300 ? value : value.substring(0, 300) + "…(" + value.length() + ")";
    }
}
