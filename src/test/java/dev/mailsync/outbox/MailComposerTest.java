package dev.mailsync.outbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.ByteArrayInputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

import jakarta.mail.Message.RecipientType;
import jakarta.mail.Part;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;

import org.junit.jupiter.api.Test;

import dev.mailsync.common.problem.Problem.FieldError;
import dev.mailsync.common.problem.ProblemException;
import dev.mailsync.message.EmailAddress;
import dev.mailsync.outbox.SendRequest.NewAttachment;
import dev.mailsync.outbox.SendRequest.Recipient;
import io.quarkus.runtime.configuration.MemorySize;

/** The composer without a server: the bytes it writes, parsed back. */
class MailComposerTest {

    private static final MailComposer.Sender ME = new MailComposer.Sender("me@contoso.example", "Me Myself");

    private static OutboxConfig config(long maxMessageSize, int maxRecipients) {
        return new OutboxConfig() {
            // @formatter:off
            public boolean enabled() { return true; }
            public Duration poll() { return Duration.ofSeconds(2); }
            public int concurrency() { return 1; }
            public Duration lease() { return Duration.ofMinutes(5); }
            public int maxAttempts() { return 8; }
            public Duration retryDelay() { return Duration.ofSeconds(30); }
            public Duration maxBackoff() { return Duration.ofHours(1); }
            public MemorySize maxMessageSize() { return new MemorySize(BigInteger.valueOf(maxMessageSize)); }
            public MemorySize memoryBudget() { return new MemorySize(BigInteger.valueOf(64 << 20)); }
            public Duration memoryWait() { return Duration.ofSeconds(30); }
            public int maxAttachments() { return 3; }
            public int maxRecipients() { return maxRecipients; }
            public boolean appendToSent() { return false; }
            public Duration retention() { return Duration.ofDays(30); }
            public Duration shutdownGrace() { return Duration.ofSeconds(20); }
            public Duration smtpTimeout() { return Duration.ofSeconds(60); }
            // @formatter:on
        };
    }

    private static final OutboxConfig CONFIG = config(25 << 20, 5);

    private static SendRequest request(List<Recipient> to, List<Recipient> bcc, String subject, String text,
            String html, List<NewAttachment> attachments, SendRequest.Reference reference) {
        return new SendRequest(to, null, bcc, null, subject, text, html, attachments, reference);
    }

    private static MailComposer.Composed compose(SendRequest request, Original original) throws Exception {
        return MailComposer.compose(ME, request, original, List.of(), CONFIG);
    }

    private static MimeMessage parse(MailComposer.Composed composed) throws Exception {
        return new MimeMessage(Session.getInstance(new Properties()), new ByteArrayInputStream(composed.mime()));
    }

    private static List<FieldError> errorsOf(ThrowingCall call) {
        ProblemException e = catchThrowableOfType(ProblemException.class, call::run);
        assertThat(e).as("a 400 problem").isNotNull();
        assertThat(e.status()).isEqualTo(400);
        return e.toProblem().errors();
    }

    private interface ThrowingCall {
        void run() throws Exception;
    }

    private static Original original(String subject, List<String> references) {
        return new Original(7, "orig@fabrikam.example", null, references, subject,
                List.of(new EmailAddress("Ann", "ann@fabrikam.example")),
                List.of(new EmailAddress(null, "me@contoso.example"), new EmailAddress("Bob", "bob@fabrikam.example")),
                List.of(new EmailAddress(null, "carol@fabrikam.example"), new EmailAddress(null, "ME@contoso.example")),
                List.of(), List.of());
    }

    @Test
    void shouldWriteAPlainMessageWithOurMessageIdAndABlindCopyOnlyInTheEnvelope() throws Exception {
        MailComposer.Composed composed = compose(request(List.of(new Recipient("Zoë", " zoe@fabrikam.example ")),
                List.of(new Recipient(null, "hidden@fabrikam.example")), "  Grüße  ", "Hallo", null, null, null),
                null);

        MimeMessage m = parse(composed);
        assertThat(composed.messageId()).matches("<[A-Za-z0-9_-]{24}@contoso\\.example>");
        assertThat(m.getMessageID()).isEqualTo(composed.messageId());
        assertThat(m.getSubject()).isEqualTo("Grüße");
        assertThat(m.getFrom()[0].toString()).isEqualTo("Me Myself <me@contoso.example>");
        assertThat(m.getRecipients(RecipientType.TO)[0].toString()).contains("zoe@fabrikam.example");
        assertThat(m.getHeader("Bcc")).isNull();
        assertThat(new String(composed.mime(), StandardCharsets.US_ASCII)).doesNotContain("hidden@");
        assertThat(composed.envelope()).containsExactly("zoe@fabrikam.example", "hidden@fabrikam.example");
        assertThat(composed.bcc()).extracting(EmailAddress::address).containsExactly("hidden@fabrikam.example");
        assertThat(m.isMimeType("text/plain")).isTrue();
        assertThat(((String) m.getContent()).strip()).isEqualTo("Hallo");
        assertThat(m.getSentDate()).isNotNull();
        assertThat(m.getHeader("In-Reply-To")).isNull();
    }

    @Test
    void shouldPutTextAndHtmlSideBySideAndAttachmentsAfter() throws Exception {
        byte[] pdf = { '%', 'P', 'D', 'F', 0, 1, 2 };
        MailComposer.Composed composed = compose(request(List.of(new Recipient(null, "a@fabrikam.example")), null,
                "s", null, "<p>Hi <b>there</b></p>", List.of(new NewAttachment("Bericht März.pdf", "application/pdf",
                        pdf)), null), null);

        MimeMessage m = parse(composed);
        MimeMultipart mixed = (MimeMultipart) m.getContent();
        assertThat(m.isMimeType("multipart/mixed")).isTrue();
        MimeMultipart alternative = (MimeMultipart) mixed.getBodyPart(0).getContent();
        assertThat(alternative.getContentType()).startsWith("multipart/alternative");
        assertThat(((String) alternative.getBodyPart(0).getContent()).strip()).isEqualTo("Hi there"); // from the HTML
        assertThat(alternative.getBodyPart(1).isMimeType("text/html")).isTrue();
        MimeBodyPart attachment = (MimeBodyPart) mixed.getBodyPart(1);
        assertThat(attachment.getDisposition()).isEqualTo(Part.ATTACHMENT);
        assertThat(attachment.getEncoding()).isEqualTo("base64");
        assertThat(attachment.isMimeType("application/pdf")).isTrue();
        assertThat(attachment.getInputStream().readAllBytes()).isEqualTo(pdf);
        assertThat(jakarta.mail.internet.MimeUtility.decodeText(attachment.getFileName())).isEqualTo("Bericht März.pdf");
    }

    @Test
    void shouldAnswerTheOriginalsSenderAndThreadTheReply() throws Exception {
        List<String> references = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            references.add("<r" + i + "@x>");
        }
        MailComposer.Composed composed = compose(request(null, null, null, "ok", null, null,
                new SendRequest.Reference("7", "reply")), original("Plan\r\nBcc: evil@x", references));

        MimeMessage m = parse(composed);
        assertThat(composed.to()).extracting(EmailAddress::address).containsExactly("ann@fabrikam.example");
        assertThat(composed.cc()).isEmpty();
        assertThat(m.getSubject()).isEqualTo("Re: Plan Bcc: evil@x"); // the received line break cannot add a header
        assertThat(m.getHeader("Bcc")).isNull();
        assertThat(m.getHeader("In-Reply-To", null)).isEqualTo("<orig@fabrikam.example>");
        String[] chain = m.getHeader("References", null).split("\\s+");
        // at most 20: the root, then the newest
        assertThat(chain).hasSize(20).startsWith("<r0@x>", "<r12@x>").endsWith("<r29@x>", "<orig@fabrikam.example>");
    }

    @Test
    void shouldAnswerEveryoneButUsOnReplyAllAndKeepAnExistingPrefix() throws Exception {
        MailComposer.Composed composed = compose(request(null, null, null, "ok", null, null,
                new SendRequest.Reference("7", "replyAll")), original("AW: Plan", List.of()));

        assertThat(composed.to()).extracting(EmailAddress::address).containsExactly("ann@fabrikam.example",
                "bob@fabrikam.example");
        assertThat(composed.cc()).extracting(EmailAddress::address).containsExactly("carol@fabrikam.example");
        assertThat(composed.subject()).isEqualTo("AW: Plan");
        assertThat(parse(composed).getHeader("References", null)).isEqualTo("<orig@fabrikam.example>");
    }

    @Test
    void shouldForwardWithoutThreadingOrRecipientsOfTheOriginal() throws Exception {
        Original original = original("Plan", List.of());
        SendRequest.Reference forward = new SendRequest.Reference("7", "forward");
        assertThat(errorsOf(() -> compose(request(null, null, null, "fyi", null, null, forward), original)))
                .containsExactly(new FieldError("to", "give at least one recipient (to, cc or bcc)"));

        MailComposer.Composed composed = compose(request(List.of(new Recipient(null, "dan@fabrikam.example")), null,
                null, "fyi", null, null, forward), original);
        assertThat(composed.subject()).isEqualTo("Fwd: Plan");
        assertThat(parse(composed).getHeader("In-Reply-To")).isNull();
        assertThat(compose(request(List.of(new Recipient(null, "dan@fabrikam.example")), null, null, "fyi", null,
                null, forward), original("WG: Plan", List.of())).subject()).isEqualTo("WG: Plan");
    }

    @Test
    void shouldReportEveryBadFieldAtOnce() {
        List<Recipient> to = List.of(new Recipient(null, "not an address"), new Recipient(null, "Eve <e@x.example>"),
                new Recipient(null, "@x.example"), new Recipient(null, "ok@x.example"));
        List<NewAttachment> four = List.of(new NewAttachment("a", null, new byte[1]),
                new NewAttachment("b", null, new byte[1]), new NewAttachment("c", null, new byte[1]),
                new NewAttachment("d", null, new byte[1]));

        assertThat(errorsOf(() -> compose(request(to, null, "s", "t", null, four, null), null)))
                .extracting(FieldError::field).containsExactly("to[0].address", "to[1].address", "to[2].address",
                        "attachments");
    }

    @Test
    void shouldRefuseTooManyRecipientsAndMessagesBeyondTheLimit() throws Exception {
        List<Recipient> six = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            six.add(new Recipient(null, "r" + i + "@x.example"));
        }
        assertThat(errorsOf(() -> compose(request(six, null, "s", "t", null, null, null), null)))
                .containsExactly(new FieldError("to", "at most 5 recipients (to, cc and bcc)"));

        SendRequest big = request(List.of(new Recipient(null, "a@x.example")), null, "s", "t", null,
                List.of(new NewAttachment("big.bin", null, new byte[60_000])), null);
        assertThat(errorsOf(() -> MailComposer.compose(ME, big, null, List.of(), config(70_000, 5))))
                .extracting(FieldError::field).containsExactly("attachments"); // 80,000 once encoded
        assertThat(errorsOf(() -> MailComposer.compose(ME, big, null, List.of(), config(80_500, 5))))
                .extracting(FieldError::message)
                .containsExactly("the message would be larger than the limit of 0.1 MB"); // the headers tip it over
        assertThat(MailComposer.compose(ME, big, null, List.of(), config(100_000, 5)).mime().length)
                .isBetween(80_000, 100_000);
    }

    @Test
    void shouldCleanTextFromReceivedMailBeforeItGoesIntoAHeader() {
        assertThat(MailComposer.headerText(" Plan\r\n\tBcc: x@y \u0000\u0085\u2028 done  ")).isEqualTo("Plan Bcc: x@y done");
        assertThat(MailComposer.headerText("a\u001b[31mb")).isEqualTo("a[31mb");
        assertThat(MailComposer.headerSafe(null)).isEqualTo("attachment");
        assertThat(MailComposer.headerSafe("\r\n\u0000")).isEqualTo("attachment");
        assertThat(MailComposer.headerSafe("x".repeat(300))).hasSize(255);
        assertThat(MailComposer.headerSafe("report\r\n.pdf")).isEqualTo("report .pdf");
    }

    @Test
    void shouldKeepOnlyABareMediaType() {
        assertThat(MailComposer.mediaType("Application/PDF; name=\"x.pdf\"")).isEqualTo("application/pdf");
        assertThat(MailComposer.mediaType(" image/png ")).isEqualTo("image/png");
        assertThat(MailComposer.mediaType("text/html\r\nX-Evil: 1")).isEqualTo("text/html");
        for (String bad : new String[] { null, "", "pdf", "a/b/c", "ü/x", "/x", "text/" }) {
            assertThat(MailComposer.mediaType(bad)).as(String.valueOf(bad)).isEqualTo("application/octet-stream");
        }
    }
}
