package dev.mailsync.message;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import dev.mailsync.common.db.PgText;
import dev.mailsync.imap.PartOutline;

/**
 * A message read from its header, its MIME outline (BODYSTRUCTURE) and its text parts fetched on their own: the
 * same {@link ParsedMessage} as {@link MimeReader} gives for the whole message (same choice of body parts, same
 * attachment names, types, sizes, content ids and inline rule, same text decoding through
 * {@link MimeReader#text(byte[], String, String, ReadLimits, Problems)}), with the attachments' sections so that
 * they download on demand.
 */
public final class OutlineReader {

    /** Bytes of a part fetched per byte kept, by transfer encoding (base64 and quoted-printable inflate). */
    private static final int IDENTITY_INFLATION = 4;
    private static final int ENCODED_INFLATION = 24;

    private OutlineReader() {
    }

    /**
     * The sections worth fetching (the first text and the first HTML part that are not attachments) with how many
     * bytes of each: enough that the part, decoded, gives at least the 4 bytes per kept byte that
     * {@link MimeReader} reads of a whole message (4 for 7bit/8bit/binary; 24 for base64 and quoted-printable,
     * which inflate up to 6 times), so a part cut by the fetch reads the same as the whole part.
     */
    public static Map<String, Long> bodySections(List<PartOutline> parts, ReadLimits limits) {
        Map<String, Long> sections = new LinkedHashMap<>();
        for (PartOutline p : new PartOutline[] { body(parts, "text/plain"), body(parts, "text/html") }) {
            if (p != null) {
                sections.put(p.section(), fetchLimit(p, limits));
            }
        }
        return sections;
    }

    private static long fetchLimit(PartOutline part, ReadLimits limits) {
        String e = part.encoding() == null ? "" : part.encoding().strip().toLowerCase(Locale.ROOT);
        boolean identity = e.isEmpty() || e.equals("7bit") || e.equals("8bit") || e.equals("binary");
        return (identity ? IDENTITY_INFLATION : ENCODED_INFLATION) * limits.maxBodyBytes() + 4;
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
            String filename = p.filename() == null ? null : MimeReader.filename(p.filename());
            if (p == textPart || p == htmlPart || inlineText && filename == null) {
                continue;
            }
            String contentId = MessageHeaders.bracketsOff(p.contentId());
            attachments.add(new AttachmentInfo(attachments.size() + 1, p.section(),
                    filename != null ? filename : p.type().equals("message/rfc822") ? "message.eml" : null,
                    PgText.truncate(p.type(), 200), "base64".equalsIgnoreCase(p.encoding()) ? p.size() * 57 / 78
                            : p.size(), PgText.truncate(contentId, MimeReader.MAX_ID),
                    "inline".equals(p.disposition()) || p.inRelated() && contentId != null));
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
        MimeReader.TextPart read = MimeReader.text(encoded, part.encoding(), part.charset(), limits, problems);
        // the fetch stopped at its limit: the part goes on (on the server)
        truncated[0] |= read.truncated() || encoded.length >= fetchLimit(part, limits);
        return read.value();
    }
}
