package dev.mailsync.message;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

class MimeReaderTest {

    private static ParsedMessage read(String raw) {
        return MimeReader.read(raw.replace("\n", "\r\n").getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void shouldReadHeadersAddressesAndEncodedWords() {
        ParsedMessage m = read("""
                Message-ID: <abc@fabrikam.example>
                In-Reply-To: <root@fabrikam.example>
                References: <root@fabrikam.example> <mid@fabrikam.example>
                From: =?UTF-8?Q?J=C3=BCrgen_M=C3=BCller?= <jm@fabrikam.example>
                To: a@contoso.example, "Bee, B." <b@contoso.example>
                Cc: Team: c@contoso.example, d@contoso.example;
                Subject: =?ISO-8859-1?Q?Gr=FC=DFe?= aus =?UTF-8?B?TcO8bmNoZW4=?=
                Date: Tue, 24 Nov 2026 10:00:00 +0100
                Content-Type: text/plain; charset=utf-8

                Hallo Welt,   wie geht's?
                """);

        assertThat(m.messageId()).isEqualTo("abc@fabrikam.example");
        assertThat(m.inReplyTo()).isEqualTo("root@fabrikam.example");
        assertThat(m.references()).containsExactly("root@fabrikam.example", "mid@fabrikam.example");
        assertThat(m.subject()).isEqualTo("Grüße aus München");
        assertThat(m.from()).containsExactly(new EmailAddress("Jürgen Müller", "jm@fabrikam.example"));
        assertThat(m.to()).extracting(EmailAddress::address).containsExactly("a@contoso.example", "b@contoso.example");
        assertThat(m.to().get(1).name()).isEqualTo("Bee, B.");
        assertThat(m.cc()).extracting(EmailAddress::address).containsExactly("c@contoso.example", "d@contoso.example");
        assertThat(m.sentAt()).hasToString("2026-11-24T09:00:00Z");
        assertThat(m.snippet()).isEqualTo("Hallo Welt, wie geht's?");
        assertThat(m.malformed()).isFalse();
    }

    @Test
    void shouldFindBodiesAndAttachmentsWithTheirMimePositions() {
        ParsedMessage m = read("""
                Message-ID: <att@x>
                Subject: files
                MIME-Version: 1.0
                Content-Type: multipart/mixed; boundary="outer"

                --outer
                Content-Type: multipart/alternative; boundary="alt"

                --alt
                Content-Type: text/plain; charset=us-ascii

                plain text
                --alt
                Content-Type: multipart/related; boundary="rel"

                --rel
                Content-Type: text/html; charset=us-ascii

                <p>html <img src="cid:logo@x"></p>
                --rel
                Content-Type: image/png
                Content-ID: <logo@x>
                Content-Transfer-Encoding: base64

                iVBORw0KGgo=
                --rel--
                --alt--
                --outer
                Content-Type: application/pdf; name*=UTF-8''Pr%C3%BCfbericht%20%E2%80%9Eneu%E2%80%9C.pdf
                Content-Disposition: attachment; filename*=UTF-8''Pr%C3%BCfbericht%20%E2%80%9Eneu%E2%80%9C.pdf
                Content-Transfer-Encoding: base64

                JVBERi0xLjQK
                --outer
                Content-Type: text/plain; name="=?UTF-8?Q?notiz_=C3=A4.txt?="
                Content-Disposition: attachment; filename="=?UTF-8?Q?notiz_=C3=A4.txt?="

                a note
                --outer--
                """);

        assertThat(m.textBody()).isEqualTo("plain text");
        assertThat(m.htmlBody()).contains("cid:logo@x");
        assertThat(m.attachments()).extracting(AttachmentInfo::part).containsExactly("1.2.2", "2", "3");
        assertThat(m.attachments().get(0)).extracting(AttachmentInfo::contentType, AttachmentInfo::contentId,
                AttachmentInfo::inline).containsExactly("image/png", "logo@x", true);
        assertThat(m.attachments().get(1).filename()).isEqualTo("Prüfbericht „neu“.pdf");
        assertThat(m.attachments().get(1).inline()).isFalse();
        assertThat(m.attachments().get(2).filename()).isEqualTo("notiz ä.txt");
        assertThat(m.malformed()).isFalse();
    }

    @Test
    void shouldKeepWhatParsesOfMalformedMessages() {
        ParsedMessage m = read("""
                Subject: broken =?x-unknown?Q?abc?=
                Date: yesterday-ish
                From: <<not an address
                Content-Type: multipart/mixed; boundary="b"

                --b
                Content-Type: text/plain; charset=x-no-such-charset

                still readable
                --b
                Content-Type: application/octet-stream; name=data.bin
                Content-Transfer-Encoding: base64

                !!!! not base64 ****
                """);

        assertThat(m.malformed()).isTrue();
        assertThat(m.problems()).anySatisfy(p -> assertThat(p).contains("Message-ID"));
        assertThat(m.problems()).anySatisfy(p -> assertThat(p).contains("Date"));
        assertThat(m.textBody()).contains("still readable");
        assertThat(m.attachments()).extracting(AttachmentInfo::filename).containsExactly("data.bin");
        assertThat(m.subject()).startsWith("broken");
    }

    @Test
    void shouldReadRawEightBitHeadersAndLeaveNulToTheStore() {
        byte[] raw = ("Message-ID: <u@x>\r\nSubject: Überweisung für März\r\nFrom: Zoë <z@x.example>\r\n\r\n"
                + "body with \0 nul").getBytes(StandardCharsets.UTF_8);

        ParsedMessage m = MimeReader.read(raw);

        assertThat(m.subject()).isEqualTo("Überweisung für März");
        assertThat(m.from().get(0).name()).isEqualTo("Zoë");
        assertThat(m.textBody()).isEqualTo("body with \0 nul");
        assertThat(dev.mailsync.common.db.PgText.clean(m.textBody())).isEqualTo("body with  nul");
    }

    @Test
    void shouldThreadByReferencesRootAndFallBackToSubject() {
        String root = Threads.threadId("root@x", null, java.util.List.of(), "Plan");
        String reply = Threads.threadId("r1@x", "root@x", java.util.List.of("root@x"), "Re: Plan");
        String replyWithoutReferences = Threads.threadId("r2@x", "root@x", java.util.List.of(), "AW: Plan");
        String bareA = Threads.threadId(null, null, java.util.List.of(), "Re: Fwd: Budget 2027");
        String bareB = Threads.threadId(null, null, java.util.List.of(), "budget 2027");

        assertThat(reply).isEqualTo(root);
        assertThat(replyWithoutReferences).isEqualTo(root);
        assertThat(bareA).isEqualTo(bareB).isNotEqualTo(root);
    }
}
