package dev.mailsync.support;

import java.io.ByteArrayOutputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Random;

/**
 * Well-formed and everyday-odd MIME, generated: the shapes a mailbox holds (alternative bodies, attachments with
 * RFC 2231 and RFC 2047 names, inline images, forwarded messages, S/MIME, TNEF, every transfer encoding, several
 * charsets, a body over the size limit, deep nesting, missing boundaries, duplicate headers). Most messages carry
 * an attachment of 40 KB or more, so that the sync reads them from their parts rather than whole. Deterministic
 * (fixed seed); CRLF line ends.
 */
public final class MimeCorpus {

    private MimeCorpus() {
    }

    public static List<HostileMail.Kind> all() {
        Random random = new Random(7);
        List<HostileMail.Kind> kinds = new ArrayList<>();
        String pdf = attachment("application/pdf", "report.pdf", random, 40_000);

        kinds.add(kind("text-only", head("text only", "text/plain; charset=utf-8") + "\nJust text, h\u00e9llo.\n"));
        kinds.add(kind("html-only", head("html only", "text/html; charset=utf-8")
                + "\n<html><body><p>Only <b>HTML</b> here</p></body></html>\n"));
        kinds.add(kind("alternative", multipart("alternative", "alt", "alternative", List.of(
                "Content-Type: text/plain; charset=utf-8\n\nplain version",
                "Content-Type: text/html; charset=utf-8\n\n<p>html version</p>"))));
        kinds.add(kind("mixed-alternative-pdf", multipart("mixed", "mix", "mixed with a PDF", List.of(
                nestedPart("alternative", "alt2", List.of("Content-Type: text/plain; charset=utf-8\n\nsee attached",
                        "Content-Type: text/html; charset=utf-8\n\n<p>see <i>attached</i></p>")), pdf))));
        kinds.add(kind("html-only-with-attachment", multipart("mixed", "hoa", "html and a file", List.of(
                "Content-Type: text/html; charset=utf-8\n\n<div>Report <b>inside</b></div>", pdf))));
        kinds.add(kind("rfc2231-continuations", multipart("mixed", "r2231", "RFC 2231 names", List.of(
                "Content-Type: text/plain\n\nnames",
                "Content-Type: application/octet-stream;\n name*0*=UTF-8''%E6%97%A5%E6%9C%AC;\n name*1*=%E8%AA%9E.bin\n"
                        + "Content-Disposition: attachment;\n filename*0*=UTF-8''%E6%97%A5%E6%9C%AC;\n"
                        + " filename*1*=%E8%AA%9E%20%E2%80%94%20long.bin\nContent-Transfer-Encoding: base64\n\n"
                        + base64(random, 40_000),
                "Content-Type: application/octet-stream\nContent-Disposition: attachment;"
                        + " filename*=iso-8859-1'fr'r%E9sum%E9.doc\nContent-Transfer-Encoding: base64\n\n"
                        + base64(random, 36_000)))));
        kinds.add(kind("rfc2047-names", multipart("mixed", "r2047", "=?UTF-8?Q?RFC_2047_n=C3=A4mes?=", List.of(
                "Content-Type: text/plain; charset=utf-8\n\nencoded words",
                "Content-Type: application/pdf; name=\"=?UTF-8?B?w7xiZXJzaWNodC5wZGY=?=\"\n"
                        + "Content-Disposition: attachment; filename=\"=?UTF-8?B?w7xiZXJzaWNodC5wZGY=?=\"\n"
                        + "Content-Transfer-Encoding: base64\n\n" + base64(random, 40_000),
                "Content-Type: application/zip; name=\"=?ISO-8859-1?Q?r=E9sum=E9_final.zip?=\"\n"
                        + "Content-Transfer-Encoding: base64\n\n" + base64(random, 40_000)))));
        kinds.add(kind("related-inline-images", multipart("related", "rel", "inline images", List.of(
                "Content-Type: text/html; charset=utf-8\n\n<p><img src=\"cid:logo@x\"><img src=\"cid:photo@x\"></p>",
                "Content-Type: image/png\nContent-ID: <logo@x>\nContent-Transfer-Encoding: base64\n\n"
                        + base64(random, 30_000),
                "Content-Type: image/jpeg; name=photo.jpg\nContent-ID:   <photo@x>  \n"
                        + "Content-Disposition: inline; filename=photo.jpg\nContent-Transfer-Encoding: base64\n\n"
                        + base64(random, 30_000),
                "Content-Type: image/gif\nContent-Transfer-Encoding: base64\n\n" + base64(random, 20_000)))));
        kinds.add(kind("nested-mixed-alternative-related", multipart("mixed", "o", "nested", List.of(
                nestedPart("alternative", "a", List.of("Content-Type: text/plain; charset=us-ascii\n\nplain nested",
                        nestedPart("related", "r", List.of(
                                "Content-Type: text/html; charset=us-ascii\n\n<p>nested <img src=cid:i1@n></p>",
                                "Content-Type: image/png\nContent-ID: <i1@n>\nContent-Transfer-Encoding: base64\n\n"
                                        + base64(random, 35_000))))),
                pdf, attachment("text/csv", "data.csv", random, 20_000)))));
        kinds.add(kind("forwarded-message", multipart("mixed", "fwd", "Fwd: the original", List.of(
                "Content-Type: text/plain; charset=utf-8\n\nforwarding this",
                "Content-Type: message/rfc822\nContent-Disposition: attachment\n\n"
                        + multipart("mixed", "inner", "the original", List.of(
                                "Content-Type: text/plain\n\ninner text the reader sees as an attachment",
                                attachment("application/pdf", "inner.pdf", random, 40_000)))))));
        kinds.add(kind("forwarded-message-named", multipart("mixed", "fwd2", "Fwd: named", List.of(
                "Content-Type: text/plain; charset=utf-8\n\nforwarding this",
                "Content-Type: message/rfc822; name=\"original.eml\"\n\n"
                        + head("inner", "text/plain") + "\n" + "inner body line\n".repeat(3_000)))));
        kinds.add(kind("smime-opaque", head("encrypted", "application/pkcs7-mime; smime-type=enveloped-data;"
                + " name=smime.p7m") + "Content-Disposition: attachment; filename=smime.p7m\n"
                + "Content-Transfer-Encoding: base64\n\n" + base64(random, 50_000)));
        kinds.add(kind("smime-signed-detached", head("signed", "multipart/signed;"
                + " protocol=\"application/pkcs7-signature\"; micalg=sha-256; boundary=\"sig\"") + "\n"
                + "--sig\n" + nestedPart("mixed", "signed-content", List.of(
                        "Content-Type: text/plain; charset=utf-8\n\nsigned text", pdf))
                + "\n--sig\nContent-Type: application/pkcs7-signature; name=smime.p7s\n"
                + "Content-Disposition: attachment; filename=smime.p7s\nContent-Transfer-Encoding: base64\n\n"
                + base64(random, 3_000) + "\n--sig--\n"));
        kinds.add(kind("tnef-winmail", multipart("mixed", "tnef", "TNEF", List.of(
                "Content-Type: text/plain; charset=us-ascii\n\nsee winmail.dat",
                "Content-Type: application/ms-tnef; name=\"winmail.dat\"\nContent-Disposition: attachment;"
                        + " filename=\"winmail.dat\"\nContent-Transfer-Encoding: base64\n\n"
                        + base64(random, 45_000)))));
        kinds.add(kind("quoted-printable-latin1", multipart("mixed", "qp", "QP", List.of(
                "Content-Type: text/plain; charset=iso-8859-1\nContent-Transfer-Encoding: quoted-printable\n\n"
                        + "Caf=E9 cr=E8me br=FBl=E9e, soft =\nline break, =3D sign\n",
                pdf))));
        kinds.add(kind("base64-utf8-body", multipart("mixed", "b64", "base64 body", List.of(
                "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: base64\n\n"
                        + wrap(Base64.getEncoder().encodeToString("\u65e5\u672c\u8a9e \u0442\u0435\u043a\u0441\u0442 \ud83d\ude00 body".repeat(40)
                                .getBytes(StandardCharsets.UTF_8))),
                "Content-Type: text/html; charset=utf-8\nContent-Transfer-Encoding: base64\n\n"
                        + wrap(Base64.getEncoder().encodeToString("<p>\u00fcber</p>".getBytes(StandardCharsets.UTF_8))),
                pdf))));
        kinds.add(kind("8bit-utf8-body", multipart("mixed", "8b", "8bit", List.of(
                "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\nGr\u00fc\u00dfe aus K\u00f6ln \u2014 8bit",
                pdf))));
        kinds.add(charsetKind("windows-1252-body", "windows-1252", "\u201csmart quotes\u201d \u20ac 5 \u2013 dash", pdf));
        kinds.add(charsetKind("iso-8859-1-body", "iso-8859-1", "na\u00efve fa\u00e7ade \u00bd", pdf));
        kinds.add(charsetKind("iso-2022-jp-body", "iso-2022-jp", "\u65e5\u672c\u8a9e\u306e\u30e1\u30fc\u30eb", pdf));
        kinds.add(kind("unknown-charset", multipart("mixed", "unk", "unknown charset", List.of(
                "Content-Type: text/plain; charset=x-no-such-charset\n\nbytes \u00e9 in an unknown charset", pdf))));
        kinds.add(kind("body-over-limit", multipart("mixed", "big", "over the body limit", List.of(
                "Content-Type: text/plain; charset=utf-8\n\n" + "a long line of body text \u00e9\n".repeat(90_000),
                pdf))));
        kinds.add(kind("base64-body-over-limit", multipart("mixed", "big64", "base64 over the limit", List.of(
                "Content-Type: text/html; charset=utf-8\nContent-Transfer-Encoding: base64\n\n"
                        + wrap(Base64.getEncoder().encodeToString("<p>\u00e9t\u00e9</p>\n".repeat(250_000)
                                .getBytes(StandardCharsets.UTF_8))),
                pdf))));
        kinds.add(kind("empty-body", multipart("mixed", "empty", "empty body", List.of(
                "Content-Type: text/plain; charset=utf-8\n\n", pdf))));
        kinds.add(kind("attachment-only", head("only a file", "application/pdf; name=only.pdf")
                + "Content-Disposition: attachment; filename=only.pdf\nContent-Transfer-Encoding: base64\n\n"
                + base64(random, 40_000)));
        kinds.add(kind("text-attachments", multipart("mixed", "txt", "text files", List.of(
                "Content-Type: text/plain\n\nthe body",
                "Content-Type: text/plain; name=notes.txt\nContent-Disposition: attachment; filename=notes.txt\n\n"
                        + "note line\n".repeat(4_000),
                "Content-Type: text/html\nContent-Disposition: attachment\n\n" + "<p>x</p>\n".repeat(4_000),
                "Content-Type: text/plain\n\nan inline text without a name (a signature)",
                "Content-Type: text/calendar; method=REQUEST; charset=utf-8\n\nBEGIN:VCALENDAR\nEND:VCALENDAR",
                pdf))));
        kinds.add(kind("long-and-odd-names", multipart("mixed", "odd", "odd names", List.of(
                "Content-Type: text/plain\n\nodd",
                "Content-Type: application/octet-stream; name=\"" + "n".repeat(700) + ".bin\"\n"
                        + "Content-Transfer-Encoding: base64\n\n" + base64(random, 20_000),
                "Content-Type: application/octet-stream\nContent-Disposition: attachment; filename=\"  \"\n"
                        + "Content-Transfer-Encoding: base64\n\n" + base64(random, 20_000),
                "Content-Type: application/octet-stream; name=\"tab\tand spaces .bin\"\n"
                        + "Content-Transfer-Encoding: base64\n\n" + base64(random, 20_000)))));
        kinds.add(kind("deep-nesting-20", deep(20, pdf)));
        kinds.add(kind("deep-nesting-45", deep(45, pdf)));
        kinds.add(kind("missing-boundary-parameter", head("no boundary", "multipart/mixed") + "\n"
                + "--lost\nContent-Type: text/plain\n\nstill text\n--lost\n" + pdf + "\n--lost--\n"));
        kinds.add(kind("unclosed-multipart", head("unclosed", "multipart/mixed; boundary=\"open\"") + "\n"
                + "--open\nContent-Type: text/plain\n\nthe end boundary never comes\n--open\n" + pdf + "\n"));
        kinds.add(kind("digest", head("digest", "multipart/digest; boundary=\"dg\"") + "\n"
                + "--dg\n\nSubject: one\n\nfirst\n--dg\n\nSubject: two\n\n" + "second\n".repeat(8_000) + "--dg--\n"));
        kinds.add(kind("duplicate-headers", "Message-ID: <dup@corpus.example>\nSubject: first subject\n"
                + "Subject: second subject\nFrom: One <one@corpus.example>\nFrom: Two <two@corpus.example>\n"
                + "To: a@contoso.example\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"d1\"\n"
                + "Content-Type: multipart/alternative; boundary=\"d2\"\n\n--d1\n"
                + "Content-Type: text/plain; charset=utf-8\nContent-Type: text/html\n\ntwo content types\n--d1\n"
                + pdf + "\n--d1--\n"));
        kinds.add(kind("uppercase-and-params", multipart("MIXED", "up", "upper case", List.of(
                "Content-Type: TEXT/PLAIN; CHARSET=\"UTF-8\"\nContent-Transfer-Encoding: QUOTED-PRINTABLE\n\n"
                        + "=C3=A9t=C3=A9",
                "Content-Type: APPLICATION/PDF; NAME=\"UP.PDF\"\nContent-Disposition: ATTACHMENT\n"
                        + "Content-Transfer-Encoding: BASE64\n\n" + base64(random, 40_000)))));
        kinds.add(kind("reply-in-thread", "Message-ID: <reply@corpus.example>\nIn-Reply-To: <root@corpus.example>\n"
                + "References: <root@corpus.example> <mid@corpus.example>\nSubject: Re: thread\n"
                + "From: R <r@corpus.example>\nTo: a@contoso.example\nMIME-Version: 1.0\n"
                + "Content-Type: multipart/mixed; boundary=\"th\"\n\n--th\nContent-Type: text/plain\n\n> quoted\nreply\n"
                + "--th\n" + pdf + "\n--th--\n"));
        return kinds;
    }

    // ---- builders

    private static String head(String subject, String contentType) {
        return "Message-ID: <" + Integer.toHexString((subject + contentType).hashCode()) + "@corpus.example>\n"
                + "Date: Tue, 1 Dec 2026 10:00:00 +0100\nFrom: Corpus Sender <sender@corpus.example>\n"
                + "To: Test User <to@contoso.example>, other@contoso.example\nCc: cc@contoso.example\n"
                + "Subject: " + subject + "\nMIME-Version: 1.0\nContent-Type: " + contentType + "\n";
    }

    private static String multipart(String subtype, String boundary, String subject, List<String> parts) {
        return head(subject, "multipart/" + subtype + "; boundary=\"" + boundary + "\"") + "\n"
                + body(boundary, parts);
    }

    private static String nestedPart(String subtype, String boundary, List<String> parts) {
        return "Content-Type: multipart/" + subtype + "; boundary=\"" + boundary + "\"\n\n" + body(boundary, parts);
    }

    private static String body(String boundary, List<String> parts) {
        StringBuilder b = new StringBuilder("preamble\n");
        for (String part : parts) {
            b.append("--").append(boundary).append('\n').append(part).append('\n');
        }
        return b.append("--").append(boundary).append("--\nepilogue\n").toString();
    }

    private static String deep(int depth, String leaf) {
        StringBuilder b = new StringBuilder(head("deep " + depth, "multipart/mixed; boundary=\"d0\"") + "\n");
        for (int i = 1; i < depth; i++) {
            b.append("--d").append(i - 1).append("\nContent-Type: multipart/mixed; boundary=\"d").append(i)
                    .append("\"\n\n");
        }
        b.append("--d").append(depth - 1).append("\nContent-Type: text/plain\n\ninnermost\n--d").append(depth - 1)
                .append('\n').append(leaf).append('\n');
        for (int i = depth - 1; i >= 0; i--) {
            b.append("--d").append(i).append("--\n");
        }
        return b.toString();
    }

    private static String attachment(String type, String name, Random random, int bytes) {
        return "Content-Type: " + type + "; name=\"" + name + "\"\nContent-Disposition: attachment; filename=\""
                + name + "\"\nContent-Transfer-Encoding: base64\n\n" + base64(random, bytes);
    }

    private static String base64(Random random, int n) {
        byte[] bytes = new byte[n];
        random.nextBytes(bytes);
        return wrap(Base64.getEncoder().encodeToString(bytes));
    }

    private static String wrap(String base64) {
        StringBuilder b = new StringBuilder(base64.length() + base64.length() / 38);
        for (int i = 0; i < base64.length(); i += 76) {
            b.append(base64, i, Math.min(base64.length(), i + 76)).append('\n');
        }
        return b.toString();
    }

    /** A text body in a charset (its bytes as that charset writes them, 8bit) beside an attachment. */
    private static HostileMail.Kind charsetKind(String name, String charset, String text, String attachment) {
        String[] around = multipart("mixed", "cs", name, List.of("Content-Type: text/plain; charset=" + charset
                + "\nContent-Transfer-Encoding: 8bit\n\n\u0000BODY\u0000", attachment)).split("\u0000BODY\u0000");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(crlf(around[0]).getBytes(StandardCharsets.UTF_8));
        out.writeBytes(text.getBytes(Charset.forName(charset)));
        out.writeBytes(crlf(around[1]).getBytes(StandardCharsets.UTF_8));
        return new HostileMail.Kind(name, out.toByteArray());
    }

    private static HostileMail.Kind kind(String name, String text) {
        return new HostileMail.Kind(name, crlf(text).getBytes(StandardCharsets.UTF_8));
    }

    private static String crlf(String text) {
        return text.replace("\r\n", "\n").replace("\n", "\r\n");
    }
}
