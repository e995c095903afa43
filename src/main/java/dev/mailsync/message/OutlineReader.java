package dev.mailsync.message;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimeUtility;

import dev.mailsync.common.db.PgText;
import dev.mailsync.imap.PartOutline;

/**
 * A message too large to be fetched whole, read from its header, its MIME outline (BODYSTRUCTURE) and the start of
 * its text parts: the same {@link ParsedMessage} as {@link MimeReader} gives, with the attachments' sections so that
 * they download on demand.
 */
public final class OutlineReader {

    private OutlineReader() {
    }

    /** The sections worth fetching: the first text and the first HTML part that are not attachments. */
    public static List<String> bodySections(List<PartOutline> parts) {
        List<String> sections = new ArrayList<>();
        PartOutline text = body(parts, "text/plain");
        PartOutline html = body(parts, "text/html");
        if (text != null) {
            sections.add(text.section());
        }
        if (html != null) {
            sections.add(html.section());
        }
        return sections;
    }

    /**
     * @param header the raw header
     * @param parts the leaves of the MIME tree
     * @param cut whether the tree had more leaves than were listed
     * @param texts section → the start of that part (transfer-encoded), for the sections of {@link #bodySections}
     */
    public static ParsedMessage read(byte[] header, List<PartOutline> parts, boolean cut, Map<String, byte[]> texts,
            ReadLimits limits) {
        try {
            return readGuarded(header, parts, cut, texts, limits);
        } catch (RuntimeException | StackOverflowError e) {
            // never thrown: a message that cannot be read is kept with a note of it, its folder goes on
            return MimeReader.unreadable("unreadable message: " + e, limits);
        }
    }

    private static ParsedMessage readGuarded(byte[] header, List<PartOutline> parts, boolean cut,
            Map<String, byte[]> texts, ReadLimits limits) {
        ParsedMessage h = MimeReader.readHeaders(header, limits);
        Problems problems = new Problems();
        h.problems().forEach(problems::add);
        if (cut) {
            problems.add("MIME structure larger than " + MimeReader.MAX_PARTS + " parts or "
                    + MimeReader.MAX_DEPTH + " levels: the rest is not listed");
        }
        PartOutline textPart = body(parts, "text/plain");
        PartOutline htmlPart = body(parts, "text/html");
        boolean[] truncated = { false };
        String text = textPart == null ? null : text(textPart, texts, limits, truncated, problems);
        String html = htmlPart == null ? null : text(htmlPart, texts, limits, truncated, problems);
        List<AttachmentInfo> attachments = new ArrayList<>();
        for (PartOutline p : parts) {
            boolean inlineText = (p.type().equals("text/plain") || p.type().equals("text/html"))
                    && !"attachment".equals(p.disposition());
            if (p == textPart || p == htmlPart || inlineText && p.filename() == null) {
                continue;
            }
            String filename = p.filename() == null ? null : MimeReader.filename(p.filename());
            attachments.add(new AttachmentInfo(attachments.size() + 1, p.section(),
                    filename != null ? filename : p.type().equals("message/rfc822") ? "message.eml" : null,
                    PgText.truncate(p.type(), 200), "base64".equalsIgnoreCase(p.encoding()) ? p.size() * 57 / 78
                            : p.size(), PgText.truncate(p.contentId(), MimeReader.MAX_ID),
                    "inline".equals(p.disposition())));
        }
        String htmlText = text == null && html != null ? HtmlText.toText(html, MimeReader.HTML_TEXT_LENGTH) : null;
        return new ParsedMessage(h.messageId(), h.inReplyTo(), h.references(), h.subject(), h.from(), h.to(), h.cc(),
                h.bcc(), h.replyTo(), h.listUnsubscribe(), h.sentAt(), text, html,
                MimeReader.snippet(text != null ? text : htmlText), htmlText, truncated[0], List.copyOf(attachments),
                problems.list());
    }

    private static PartOutline body(List<PartOutline> parts, String type) {
        return parts.stream().filter(p -> p.type().equals(type) && !"attachment".equals(p.disposition()))
                .findFirst().orElse(null);
    }

    private static String text(PartOutline part, Map<String, byte[]> texts, ReadLimits limits, boolean[] truncated,
            Problems problems) {
        byte[] encoded = texts.get(part.section());
        if (encoded == null) {
            return null;
        }
        if (encoded.length < part.size()) {
            truncated[0] = true;
        }
        byte[] decoded = decode(encoded, part.encoding(), problems);
        String value = MimeReader.decode(decoded, part.charset(), problems);
        String cut = MimeReader.cut(value, limits.maxBodyBytes());
        if (cut.length() < value.length()) {
            truncated[0] = true;
        }
        return cut;
    }

    /** Transfer decoding of what may be only the start of a part (a base64 quantum may be cut off). */
    private static byte[] decode(byte[] encoded, String encoding, Problems problems) {
        String e = encoding == null ? "" : encoding.toLowerCase(Locale.ROOT);
        if (e.equals("base64")) {
            StringBuilder clean = new StringBuilder(encoded.length);
            for (byte b : encoded) {
                char c = (char) (b & 0xFF);
                if (c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '/') {
                    clean.append(c);
                }
            }
            if (clean.length() % 4 == 1) {
                clean.setLength(clean.length() - 1); // the start of a cut-off quantum
            }
            return Base64.getDecoder().decode(clean.toString().getBytes(StandardCharsets.US_ASCII));
        }
        if (e.equals("quoted-printable")) {
            try (InputStream in = MimeUtility.decode(new ByteArrayInputStream(encoded), e)) {
                return in.readAllBytes();
            } catch (MessagingException | IOException | RuntimeException ex) {
                problems.add("undecodable text part: " + ex.getMessage());
            }
        }
        return encoded;
    }
}
