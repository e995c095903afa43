package dev.mailsync.support;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Random;

/**
 * Hostile and broken mail, generated: what a careless or malicious sender, a fuzzer or the corners of the MIME
 * RFCs produce. Each message is a {@link Kind}: a name and its raw bytes (CRLF line ends unless the kind is about
 * line ends). Deterministic (fixed seed), about 20 MB in all.
 */
public final class HostileMail {

    /** One hostile message. */
    public record Kind(String name, byte[] raw) {
        @Override
        public String toString() {
            return name;
        }
    }

    private HostileMail() {
    }

    /**
     * The kinds a GreenMail mailbox can hold in a test's time and describe: GreenMail indexes every MIME part of a
     * message as it is appended (minutes for a million parts), and drops the connection when asked for the
     * BODYSTRUCTURE of broken RFC 2231 continuations (a NullPointerException inside it; Dovecot describes them,
     * see {@code DovecotOutlineTest}). The parser meets the others in its own tests.
     */
    public static List<Kind> deliverable() {
        return all().stream().filter(k -> !k.name().equals("multipart-a-million-empty-parts")
                && !k.name().equals("multipart-of-multiparts-of-1000")
                && !k.name().equals("rfc2231-continuations-broken")).toList();
    }

    public static List<Kind> all() {
        List<Kind> kinds = new ArrayList<>();
        Random random = new Random(42);

        // ---- bodies that are costly to turn into text
        kinds.add(kind("html-of-300k-lt", headers("text/html; charset=utf-8") + "\n" + "<".repeat(300_000)));
        kinds.add(kind("html-of-200k-lt-and-gt", headers("text/html") + "\n" + "<a".repeat(100_000) + "<"
                + "<script".repeat(20_000) + "<style>".repeat(20_000)));
        kinds.add(kind("html-100k-nested-div", headers("text/html") + "\n" + "<div>".repeat(100_000) + "deep"
                + "</div>".repeat(100_000)));
        kinds.add(kind("html-100k-unclosed-formatting", headers("text/html") + "\n"
                + "<b><i><a href=x><font>".repeat(25_000) + "text"));
        kinds.add(kind("html-100k-nested-table", headers("text/html") + "\n"
                + "<table><tr><td>".repeat(30_000) + "cell"));
        kinds.add(kind("html-css-bomb", headers("text/html") + "\n<style>" + "a{b:c}".repeat(100_000)
                + "</style><p style=\"" + "x:y;".repeat(50_000) + "\">text</p>"));
        kinds.add(kind("html-entities-nul-and-surrogates", headers("text/html") + "\n"
                + "<p>a&#0;b&#xD800;c&#xDFFF;d&#1114112;e&#99999999999;f" + "&amp".repeat(50_000) + "</p>"));
        kinds.add(kind("html-comment-never-closed", headers("text/html") + "\n<p>x</p><!--" + "- -".repeat(100_000)));
        kinds.add(kind("text-with-nul", headers("text/plain") + "\nbefore\0after\0\0" + "\0".repeat(10_000)));

        // ---- NUL and broken identifiers
        kinds.add(kind("nul-in-ids", """
                Message-ID: <a\0b@x.example>
                In-Reply-To: <p\0q@x.example>
                References: <r\0s@x.example> <t\0u@x.example>
                Subject: nul\0subject
                From: Nul\0Name <n\0ul@x.example>
                To: "T\0o" <t\0o@x.example>
                Content-Type: text/plain

                body
                """));
        kinds.add(kind("nul-in-filename-and-content-id", multipart("mixed", "b", List.of(
                "Content-Type: text/plain\n\ntext",
                "Content-Type: application/pdf; name*=UTF-8''a%00b.pdf\n"
                        + "Content-Disposition: attachment; filename*=UTF-8''re%00port%00.pdf\n"
                        + "Content-ID: <c\0id@x>\nContent-Transfer-Encoding: base64\n\nJVBERi0xLjQK",
                "Content-Type: image/png; name=\"p\0ng.png\"\nContent-ID: <i\0mg@x>\n\n\0\0\0"))));
        kinds.add(kind("huge-message-id", "Message-ID: <" + randomWord(random, 20_000) + "@x.example>\n"
                + "In-Reply-To: <" + randomWord(random, 20_000) + "@y>\n"
                + "References: <" + randomWord(random, 20_000) + "@z>\n" + "From: " + randomWord(random, 20_000)
                + "@long.example\nTo: " + randomWord(random, 20_000) + "@long.example\n"
                + "Content-Type: text/plain\n\nids longer than any index key"));
        kinds.add(kind("references-100k-ids", "Message-ID: <many@x>\nReferences:" + refs(60_000)
                + "\nContent-Type: text/plain\n\nlong chain"));
        kinds.add(kind("references-of-nested-brackets", "Message-ID: <" + "<".repeat(100_000) + ">\nReferences: "
                + "<".repeat(200_000) + "\nIn-Reply-To: " + "<>".repeat(100_000) + "\n\nbrackets"));
        kinds.add(kind("subject-reply-prefix-bomb", "Subject: re" + " ".repeat(100_000) + "[1]" + " ".repeat(100_000)
                + "x\n\nno ids: threaded by subject"));
        kinds.add(kind("subject-of-1mb-random-words", "Message-ID: <big-subject@x>\nSubject: " + words(random, 150_000)
                + "\n\nsearch indexing must survive"));

        // ---- MIME structure
        kinds.add(kind("multipart-nested-2500", nested(2_500)));
        kinds.add(kind("multipart-10000-siblings", multipart("mixed", "s", repeat(
                "Content-Type: application/octet-stream; name=f.bin\n\nx", 10_000))));
        kinds.add(kind("multipart-a-million-empty-parts", "Content-Type: multipart/mixed; boundary=b\n\n"
                + "--b\n\n".repeat(1_000_000) + "--b--\n"));
        kinds.add(kind("multipart-of-multiparts-of-1000", multipart("mixed", "o", repeat(
                "Content-Type: multipart/mixed; boundary=i\n\n" + "--i\n\n".repeat(1_000) + "--i--", 300))));
        kinds.add(kind("boundary-of-100k-chars", "Content-Type: multipart/mixed; boundary=\"" + "q".repeat(100_000)
                + "\"\n\n--" + "q".repeat(100_000) + "\n\nx\n--" + "q".repeat(99_999) + "\n--" + "q".repeat(100_000)
                + "--\n"));
        kinds.add(kind("alternative-5000-text-parts", multipart("alternative", "t", repeat(
                "Content-Type: text/plain\n\nalt", 5_000))));
        kinds.add(kind("multipart-without-boundary", headers("multipart/mixed") + "\n--x\n\nbody\n--x--\n"));
        kinds.add(kind("multipart-duplicate-boundary", "Content-Type: multipart/mixed; boundary=a; boundary=b\n\n"
                + "--a\n\npart a\n--b\n\npart b\n--a--\n--b--\n"));
        kinds.add(kind("multipart-boundary-never-closed", "Content-Type: multipart/mixed; boundary=open\n\n"
                + "--open\nContent-Type: text/plain\n\nfirst\n--open\nContent-Type: text/html\n\n<p>second"));
        kinds.add(kind("multipart-boundary-never-used", "Content-Type: multipart/mixed; boundary=unused\n\n"
                + "just text, no boundary line at all\n"));
        String longBoundary = "b".repeat(300);
        kinds.add(kind("multipart-boundary-300-chars", "Content-Type: multipart/mixed; boundary=\"" + longBoundary
                + "\"\n\n--" + longBoundary + "\n\nlong boundary\n--" + longBoundary + "--\n"));
        kinds.add(kind("multipart-boundary-empty", "Content-Type: multipart/mixed; boundary=\"\"\n\n--\n\nempty\n----\n"));
        kinds.add(kind("multipart-parts-without-headers", multipart("mixed", "n", repeat("\nno headers", 50))));
        kinds.add(kind("multipart-huge-preamble", "Content-Type: multipart/mixed; boundary=p\n\n"
                + "preamble line\n".repeat(50_000) + "--p\n\nafter preamble\n--p--\n"));
        kinds.add(kind("message-rfc822-nested-300", rfc822(300)));
        kinds.add(kind("message-rfc822-empty", multipart("mixed", "e", List.of("Content-Type: text/plain\n\nx",
                "Content-Type: message/rfc822\n\n"))));
        kinds.add(kind("message-partial-and-external", multipart("mixed", "p", List.of(
                "Content-Type: message/partial; id=\"x\"; number=2; total=3\n\npartial",
                "Content-Type: message/external-body; access-type=URL; URL=\"file:///etc/passwd\"\n\n"
                        + "Content-Type: text/plain\n\n"))));
        kinds.add(kind("multipart-digest-nested", multipart("digest", "d", repeat(
                "Content-Type: multipart/digest; boundary=d2\n\n--d2\n\nSubject: inner\n\nx\n--d2--", 200))));
        kinds.add(kind("tnef-winmail-dat", multipart("mixed", "w", List.of("Content-Type: text/plain\n\nsee attached",
                "Content-Type: application/ms-tnef; name=\"winmail.dat\"\nContent-Transfer-Encoding: base64\n\n"
                        + Base64.getMimeEncoder().encodeToString(randomBytes(random, 30_000))))));

        // ---- encodings and charsets
        kinds.add(kind("bad-base64", multipart("mixed", "b", List.of(
                "Content-Type: text/plain\nContent-Transfer-Encoding: base64\n\n!!!!====*** not base64 \0\0 ===",
                "Content-Type: application/pdf; name=x.pdf\nContent-Transfer-Encoding: base64\n\nQUJD=RE=F\n===="))));
        kinds.add(kind("bad-quoted-printable", headers("text/plain; charset=utf-8")
                + "Content-Transfer-Encoding: quoted-printable\n\n=ZZ=\n=\n=0=F=C3=\n" + "=".repeat(10_000)));
        kinds.add(kind("unknown-transfer-encodings", multipart("mixed", "u", List.of(
                "Content-Type: text/plain\nContent-Transfer-Encoding: x-rot13\n\nuryyb",
                "Content-Type: application/zip; name=a.zip\nContent-Transfer-Encoding: x-uuencode\n\n"
                        + "begin 644 a.zip\nM9V%R8F%G90``\n`\nend",
                "Content-Type: text/html\nContent-Transfer-Encoding: " + "b".repeat(5_000) + "\n\n<p>x</p>"))));
        kinds.add(kind("hostile-charsets", multipart("mixed", "c", List.of(
                "Content-Type: text/plain; charset=\"../../../../etc/passwd\"\n\none",
                "Content-Type: text/html; charset=" + "x".repeat(10_000) + "\n\n<p>two</p>",
                "Content-Type: text/plain; charset=utf-32\n\nodd\1",
                "Content-Type: text/plain; charset=\"utf-8\0\"\n\nfour",
                "Content-Type: text/plain; charset=unicode-1-1-utf-7\n\n+AGEAYgBj-"))));
        kinds.add(kind("utf-16-body-with-lone-surrogates", headers("text/plain; charset=utf-16le") + "\n",
                new byte[] { 'h', 0, 'i', 0, 0x00, (byte) 0xD8, 'x', 0, 0x00, (byte) 0xDC, 0 }));
        kinds.add(kind("encoded-words-broken", """
                Subject: =?UTF-8?B?not*base64?= =?UTF-8?Q?=ZZ=?= =?UTF-8?X?unknown?= =?UTF-8?B?unterminated
                From: =?nope?Q?a?= <a@x.example>
                To: =?UTF-8?B?=?= <b@x.example>
                Content-Type: text/plain; name="=?UTF-8?B?////?="
                Content-Disposition: attachment; filename="=?UTF-8?Q??="

                x
                """));
        kinds.add(kind("encoded-words-huge", "Subject: " + "=?UTF-8?B?w7w=?= ".repeat(60_000) + "\nFrom: =?UTF-8?Q?"
                + "=C3=BC".repeat(100_000) + "?= <huge@x.example>\n\nhuge encoded words"));
        kinds.add(kind("encoded-words-lone-surrogates", """
                Subject: =?UTF-16BE?B?2AA=?= =?UTF-16?B?3AA=?= =?UTF-8?B?7aCA?= =?UTF-16LE?Q?=00=D8?=
                From: =?UTF-16BE?B?2AA=?= <s@x.example>
                Content-Type: multipart/mixed; boundary=s

                --s
                Content-Type: application/octet-stream; name*=UTF-16BE''%D8%00
                Content-Disposition: attachment; filename*=UTF-16BE''%D8%00%00a

                x
                --s--
                """));
        kinds.add(kind("invalid-utf8-and-8bit-headers", "Subject: ", new byte[] { (byte) 0xC3, (byte) 0x28,
                (byte) 0xFF, (byte) 0xFE, (byte) 0xED, (byte) 0xA0, (byte) 0x80, ' ', (byte) 0xF8, (byte) 0x88 },
                "\nFrom: ", new byte[] { (byte) 0xE9, (byte) 0xE9 },
                " <x@y.example>\nX-", new byte[] { (byte) 0x80, (byte) 0x81 }, ": v\n\nbody"));

        // ---- headers
        kinds.add(kind("subject-of-1mb-folded", "Message-ID: <fold@x>\nSubject: " + "folded line\n ".repeat(80_000)
                + "end\nX-After: the big header\n\nbody"));
        kinds.add(kind("header-of-1mb-one-line", "X-Long: " + "y".repeat(1_000_000) + "\nSubject: one line\n\nbody"));
        kinds.add(kind("header-line-without-colon", "Subject: fine\nthis line has no colon\nFrom a@b.example\n"
                + "X-Ok: yes\n\nbody"));
        kinds.add(kind("10000-subject-headers", "Subject: again\n".repeat(10_000) + "\nmany subjects"));
        kinds.add(kind("20000-distinct-headers", headersNumbered(20_000) + "\nmany headers"));
        kinds.add(kind("content-type-params-10000", "Content-Type: text/plain; charset=utf-8"
                + "; a=b".repeat(10_000) + "\n\nparams"));
        kinds.add(kind("rfc2231-continuations-broken", multipart("mixed", "r", List.of(
                "Content-Type: application/pdf\nContent-Disposition: attachment; filename*2=\"c.pdf\"; "
                        + "filename*0=\"a\"; filename*5*=UTF-8''%E2%82; filename*1*=bogus''%ZZ",
                "Content-Type: application/pdf\nContent-Disposition: attachment; filename*0=\"x\"; "
                        + "filename*9999999999=\"y\"; filename*-1=\"z\"",
                "Content-Type: application/pdf; name*0*=UTF-8''a; " + continuations(5_000) + "\n\nmany"))));
        kinds.add(kind("date-year-zero", "Date: Mon, 1 Jan 0 00:00:00 +0000\nSubject: year zero\n\nx"));
        kinds.add(kind("date-year-99999", "Date: Fri, 31 Dec 99999 23:59:59 +9999\nSubject: future\n\nx"));
        kinds.add(kind("date-negative", "Date: Thu, -5 Jan -2000 -10:-10:-10 -0000\nSubject: past\n\nx"));
        kinds.add(kind("date-huge-numbers", "Date: 99999999999999999999 Jan 9999999999999 99:99:99 +99999999\n\nx"));
        kinds.add(kind("recipients-10000", "From: a@x.example\nTo: " + recipients(10_000) + "\nCc: " + recipients(2_000)
                + "\n\nmany recipients"));
        kinds.add(kind("address-groups-broken", """
                From: Group: a@x.example, b@x.example
                To: Outer: Inner: c@x.example;;, ::::;;;;, <<>>, "unterminated <d@x.example>
                Cc: undisclosed-recipients:;
                Reply-To: @@@, a@, @b, "\\\\\\"" <e@x.example>
                Bcc: """ + "(".repeat(50_000) + "comment\n\nbroken groups"));
        kinds.add(kind("attachment-names-with-crlf-and-controls", multipart("mixed", "n", List.of(
                "Content-Type: text/plain\n\nx",
                "Content-Type: text/plain; name=\"=?UTF-8?Q?evil=0D=0AContent-Type:_text/html=0D=0A.txt?=\"\n"
                        + "Content-Disposition: attachment; filename=\"=?UTF-8?Q?a=0D=0Ab=07=1B[31m=7F.txt?=\"\n\nx",
                "Content-Type: application/octet-stream\nContent-Disposition: attachment;"
                        + " filename=\"../../../../etc/passwd\"\n\nx",
                "Content-Type: application/octet-stream\nContent-Disposition: attachment; filename*=UTF-8''"
                        + "%E2%80%AEfdp.exe\n\nx",
                "Content-Type: application/octet-stream\nContent-Disposition: attachment; filename=\""
                        + "n".repeat(100_000) + "\"\n\nx"))));

        // ---- shapes of the whole message
        kinds.add(kind("empty-message", ""));
        kinds.add(kind("no-headers-at-all", "\nonly a body after an empty header block"));
        kinds.add(kind("only-a-body", "this message is only a body\nno header line\n"));
        kinds.add(kind("bare-lf-and-bare-cr", "Subject: bare\nContent-Type: text/plain\n\nline\rline\nline\r\n",
                false));
        kinds.add(kind("long-line-without-newline", headers("text/plain") + "\n" + "z".repeat(2_000_000), false));
        kinds.add(kind("binary-garbage", "", randomBytes(random, 200_000)));
        return kinds;
    }

    // ---- builders

    private static String headers(String contentType) {
        return "Message-ID: <" + Integer.toHexString(contentType.hashCode()) + "@hostile.example>\n"
                + "From: Hostile <h@hostile.example>\nTo: victim@contoso.example\nSubject: hostile\n"
                + "Content-Type: " + contentType + "\n";
    }

    private static String multipart(String subtype, String boundary, List<String> parts) {
        StringBuilder b = new StringBuilder("Message-ID: <" + subtype + "-" + parts.size() + "@hostile.example>\n"
                + "Subject: multipart\nMIME-Version: 1.0\nContent-Type: multipart/" + subtype + "; boundary=\""
                + boundary + "\"\n\n");
        for (String part : parts) {
            b.append("--").append(boundary).append('\n').append(part).append('\n');
        }
        return b.append("--").append(boundary).append("--\n").toString();
    }

    private static String nested(int depth) {
        StringBuilder b = new StringBuilder("Content-Type: multipart/mixed; boundary=\"n0\"\n\n");
        for (int i = 1; i < depth; i++) {
            b.append("--n").append(i - 1).append("\nContent-Type: multipart/mixed; boundary=\"n").append(i)
                    .append("\"\n\n");
        }
        b.append("--n").append(depth - 1).append("\nContent-Type: text/plain\n\ninnermost\n");
        for (int i = depth - 1; i >= 0; i--) {
            b.append("--n").append(i).append("--\n");
        }
        return b.toString();
    }

    private static String rfc822(int depth) {
        String inner = "Subject: innermost\n\ndeep";
        for (int i = 0; i < depth; i++) {
            inner = "Subject: level " + i + "\nContent-Type: message/rfc822\n\n" + inner;
        }
        return inner;
    }

    private static List<String> repeat(String part, int n) {
        List<String> parts = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            parts.add(part);
        }
        return parts;
    }

    private static String refs(int n) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < n; i++) {
            b.append(" <id-").append(i).append("@refs.example>");
        }
        return b.toString();
    }

    private static String recipients(int n) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < n; i++) {
            b.append(i == 0 ? "" : ",\n ").append("\"Person ").append(i).append("\" <p").append(i)
                    .append("@contoso.example>");
        }
        return b.toString();
    }

    private static String continuations(int n) {
        StringBuilder b = new StringBuilder();
        for (int i = n; i > 0; i--) {
            b.append("name*").append(i).append("*=%41; ");
        }
        return b.append("x=y").toString();
    }

    private static String headersNumbered(int n) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < n; i++) {
            b.append("X-H").append(i).append(": v\n");
        }
        return b.toString();
    }

    private static String randomWord(Random random, int length) {
        StringBuilder b = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            b.append((char) ('a' + random.nextInt(26)));
        }
        return b.toString();
    }

    private static String words(Random random, int n) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < n; i++) {
            b.append(randomWord(random, 3 + random.nextInt(6))).append(' ');
        }
        return b.toString();
    }

    private static byte[] randomBytes(Random random, int n) {
        byte[] bytes = new byte[n];
        random.nextBytes(bytes);
        return bytes;
    }

    private static Kind kind(String name, String text) {
        return kind(name, text, true);
    }

    /** {@code crlf}: LF line ends become CRLF (as on the wire); otherwise the text is taken as it is. */
    private static Kind kind(String name, String text, boolean crlf) {
        return new Kind(name, (crlf ? text.replace("\r\n", "\n").replace("\n", "\r\n") : text)
                .getBytes(StandardCharsets.UTF_8));
    }

    /** Text and raw bytes, concatenated (strings with CRLF line ends). */
    private static Kind kind(String name, Object... pieces) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Object piece : pieces) {
            out.writeBytes(piece instanceof byte[] bytes ? bytes
                    : ((String) piece).replace("\n", "\r\n").getBytes(StandardCharsets.UTF_8));
        }
        return new Kind(name, out.toByteArray());
    }
}
