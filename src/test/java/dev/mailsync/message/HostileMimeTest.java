package dev.mailsync.message;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import dev.mailsync.common.db.PgText;
import dev.mailsync.support.HostileMail;

/**
 * Every kind of hostile mail parses within two seconds without throwing, into values of a size PostgreSQL's
 * indexes, the API's pages and a browser can take.
 */
class HostileMimeTest {

    static final Map<String, byte[]> KINDS = HostileMail.all().stream()
            .collect(Collectors.toMap(HostileMail.Kind::name, HostileMail.Kind::raw));

    static List<HostileMail.Kind> kinds() {
        return HostileMail.all();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kinds")
    void shouldParseWithinTwoSecondsIntoBoundedValues(HostileMail.Kind kind) {
        ParsedMessage m = assertTimeoutPreemptively(Duration.ofSeconds(2), () -> {
            ParsedMessage parsed = MimeReader.read(kind.raw());
            Threads.threadId(parsed.messageId(), parsed.inReplyTo(), parsed.references(), parsed.subject());
            return parsed;
        });

        assertThat(m.messageId()).satisfiesAnyOf(id -> assertThat(id).isNull(), id -> assertThat(id).hasSizeLessThanOrEqualTo(500));
        assertThat(m.inReplyTo()).satisfiesAnyOf(id -> assertThat(id).isNull(), id -> assertThat(id).hasSizeLessThanOrEqualTo(500));
        assertThat(m.references()).hasSizeLessThanOrEqualTo(100).allSatisfy(id -> assertThat(id).hasSizeLessThanOrEqualTo(500));
        assertThat(m.subject()).satisfiesAnyOf(s -> assertThat(s).isNull(), s -> assertThat(s).hasSizeLessThanOrEqualTo(2000));
        for (List<EmailAddress> list : List.of(m.from(), m.to(), m.cc(), m.bcc(), m.replyTo())) {
            assertThat(list).hasSizeLessThanOrEqualTo(1000).allSatisfy(a -> {
                assertThat(a.address()).hasSizeLessThanOrEqualTo(320);
                assertThat(a.name()).satisfiesAnyOf(n -> assertThat(n).isNull(), n -> assertThat(n).hasSizeLessThanOrEqualTo(500));
            });
        }
        assertThat(m.attachments()).hasSizeLessThanOrEqualTo(1000).allSatisfy(a -> {
            assertThat(a.part()).matches("[0-9.]+");
            if (a.filename() != null) {
                assertThat(a.filename()).hasSizeLessThanOrEqualTo(500).doesNotContain("\r", "\n", "\u0007", "\u001b");
            }
        });
        for (String body : new String[] { m.textBody(), m.htmlBody() }) {
            if (body != null) {
                assertThat(body.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(2 * 1024 * 1024);
            }
        }
        assertThat(m.problems()).hasSizeLessThanOrEqualTo(21);
        if (m.sentAt() != null) {
            assertThat(m.sentAt()).isBetween(Instant.parse("1900-01-01T00:00:00Z"), Instant.parse("9999-12-31T23:59:59Z"));
        }
    }

    @Test
    void shouldTurnHtmlOfHundredsOfThousandsOfLtIntoTextInLinearTime() {
        String html = "<".repeat(300_000) + "<a" .repeat(100_000) + "<!--" + "<script".repeat(50_000);

        String text = assertTimeoutPreemptively(Duration.ofSeconds(2), () -> HtmlText.toText(html, 20_000));

        assertThat(text).hasSize(20_000).containsOnlyOnce("<".repeat(20_000));
    }

    @Test
    void shouldKeepTextOfHtmlButNotItsMarkupScriptsOrStyles() {
        String text = HtmlText.toText("<html><head><title>T</title><style>p{x:y}</style></head><body><p>Hello&nbsp;"
                + "<b>W</b>orld &amp; co &#8364;&#0;&#xD800;</p><SCRIPT>alert(1)</script >a < b<!-- c -->d</body>", 1000);

        assertThat(text.strip()).isEqualTo("Hello World & co €\uFFFD\uFFFD\na < bd");
    }

    @Test
    void shouldStopAtFiftyLevelsAndAThousandParts() {
        ParsedMessage nested = MimeReader.read(KINDS.get("multipart-nested-2500"));
        ParsedMessage siblings = MimeReader.read(KINDS.get("multipart-10000-siblings"));

        assertThat(nested.malformed()).isTrue();
        assertThat(nested.problems()).anySatisfy(p -> assertThat(p).contains("deeper than 50"));
        assertThat(siblings.attachments()).hasSize(1000);
        assertThat(siblings.problems()).anySatisfy(p -> assertThat(p).contains("more than 1000 MIME parts"));
    }

    @Test
    void shouldKeepTheFirstThousandOfTenThousandRecipientsQuickly() {
        ParsedMessage m = assertTimeoutPreemptively(Duration.ofSeconds(2),
                () -> MimeReader.read(KINDS.get("recipients-10000")));

        assertThat(m.to()).hasSize(1000);
        assertThat(m.to().get(999)).isEqualTo(new EmailAddress("Person 999", "p999@contoso.example"));
        assertThat(m.cc()).hasSize(1000);
        assertThat(m.problems()).contains("To: more than 1000 addresses, the rest is not kept");
    }

    @Test
    void shouldReadBrokenGroupsAndCommentsWithoutJakartaMailsQuadraticParse() {
        ParsedMessage m = assertTimeoutPreemptively(Duration.ofSeconds(2),
                () -> MimeReader.read(KINDS.get("address-groups-broken")));

        assertThat(m.from()).extracting(EmailAddress::address).containsExactly("a@x.example", "b@x.example");
        assertThat(m.to()).extracting(EmailAddress::address).contains("c@x.example");
        assertThat(m.malformed()).isTrue();
    }

    @Test
    void shouldCutIdsReferencesAndSubjectsToIndexableSizes() {
        ParsedMessage ids = MimeReader.read(KINDS.get("huge-message-id"));
        ParsedMessage refs = MimeReader.read(KINDS.get("references-100k-ids"));
        ParsedMessage subject = MimeReader.read(KINDS.get("subject-of-1mb-folded"));

        assertThat(ids.messageId()).hasSize(500);
        assertThat(ids.from().get(0).address()).hasSize(320);
        // the header is read to 64 KiB: the thread's root, then the last 99 references of what was read
        assertThat(refs.references()).hasSize(100).startsWith("id-0@refs.example");
        assertThat(subject.subject()).hasSize(2000).startsWith("folded line folded line");
        assertThat(subject.problems()).anySatisfy(p -> assertThat(p).contains("Subject longer than"));
    }

    @Test
    void shouldDropDatesOutsideTheYears1900To9999() {
        for (String kind : List.of("date-year-99999", "date-negative", "date-huge-numbers")) {
            ParsedMessage m = MimeReader.read(KINDS.get(kind));
            assertThat(m.sentAt()).as(kind).isNull();
            assertThat(m.problems()).as(kind).anySatisfy(p -> assertThat(p).contains("Date"));
        }
    }

    @Test
    void shouldCleanFileNamesOfLineBreaksAndControlCharacters() {
        ParsedMessage m = MimeReader.read(KINDS.get("attachment-names-with-crlf-and-controls"));

        assertThat(m.attachments()).extracting(AttachmentInfo::filename).contains("a b[31m.txt",
                "../../../../etc/passwd");
        assertThat(m.attachments()).allSatisfy(a -> assertThat(a.filename()).doesNotContainPattern("\\p{Cntrl}"));
    }

    @Test
    void shouldThreadASubjectOfRePlusAMillionBlanksQuickly() {
        String subject = "re" + " ".repeat(1_000_000) + "[1]" + " ".repeat(1_000_000) + "x";

        String thread = assertTimeoutPreemptively(Duration.ofSeconds(2),
                () -> Threads.threadId(null, null, List.of(), subject));

        assertThat(thread).isEqualTo(Threads.threadId(null, null, List.of(), subject.strip()));
    }

    @Test
    void shouldCutBodiesAtTheLimitAndSayTheyWereCut() {
        ParsedMessage m = MimeReader.read(("Content-Type: text/plain; charset=utf-8\r\n\r\n" + "ä".repeat(1000))
                .getBytes(StandardCharsets.UTF_8), 0, 2000 + 44, new ReadLimits(101, Duration.ofSeconds(5)));

        assertThat(m.textBody()).isEqualTo("ä".repeat(50));
        assertThat(m.truncated()).isTrue();
        assertThat(MimeReader.read("Content-Type: text/plain\r\n\r\nshort".getBytes(StandardCharsets.UTF_8))
                .truncated()).isFalse();
    }

    @Test
    void shouldKeepTheHeadersAndMarkTheMessageWhenTheParseBudgetIsUsedUp() {
        byte[] raw = KINDS.get("multipart-10000-siblings");

        ParsedMessage m = MimeReader.read(raw, 0, raw.length, new ReadLimits(1024 * 1024, Duration.ZERO));

        assertThat(m.subject()).isEqualTo("multipart");
        assertThat(m.messageId()).isEqualTo("mixed-10000@hostile.example");
        assertThat(m.attachments()).isEmpty();
        assertThat(m.malformed()).isTrue();
        assertThat(m.truncated()).isTrue();
        assertThat(m.problems()).contains("parse budget used up: the rest of the message is not read");
    }

    @Test
    void shouldBuildADownloadHeaderFromAHugeHostileFileNameQuickly() {
        String name = "n".repeat(100_000) + "\r\nX-Evil: 1\u0007.pdf";

        String header = assertTimeoutPreemptively(Duration.ofSeconds(2),
                () -> ContentDisposition.attachment(name, "attachment"));

        assertThat(header).startsWith("attachment; filename=\"nnn").doesNotContain("\r", "\n", "\u0007")
                .contains("X-Evil: 1.pdf\"; filename*=UTF-8''nnn");
        assertThat(ContentDisposition.attachment("../../etc/passwd", "attachment")).startsWith("attachment; filename=\"passwd\"");
        assertThat(ContentDisposition.attachment("\r\n", "message-1.eml")).startsWith("attachment; filename=\"message-1.eml\"");
    }

    @Test
    void shouldCleanNulAndLoneSurrogatesForPostgresql() {
        Function<String, String> clean = PgText::clean;

        assertThat(clean.apply("a\0b")).isEqualTo("ab");
        assertThat(clean.apply("x\uD800y\uDC00z")).isEqualTo("x\uFFFDy\uFFFDz");
        assertThat(clean.apply("pair \uD83D\uDE00 kept")).isEqualTo("pair \uD83D\uDE00 kept");
        assertThat(clean.apply("ends high \uD83D")).isEqualTo("ends high \uFFFD");
        assertThat(PgText.truncate("ab\uD83D\uDE00", 3)).isEqualTo("ab");
    }
}
