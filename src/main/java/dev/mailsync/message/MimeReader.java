package dev.mailsync.message;

import java.io.IOException;
import java.io.InputStream;
import java.io.UnsupportedEncodingException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Properties;

import jakarta.mail.MessagingException;
import jakarta.mail.Part;
import jakarta.mail.Session;
import jakarta.mail.internet.ContentType;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import jakarta.mail.internet.MimePart;
import jakarta.mail.internet.MimePartDataSource;
import jakarta.mail.internet.MimeUtility;
import jakarta.mail.internet.SharedInputStream;

import dev.mailsync.common.db.PgText;

/**
 * Reads a raw RFC 5322 message into a {@link ParsedMessage}, keeping whatever parses: a bad header, an unknown
 * charset, broken base64 or an unclosed multipart is noted in {@code problems}, never fatal.
 * <p>
 * Hostile mail cannot make it slow or make it fail: every step is linear in the input (no backtracking regular
 * expressions on mail text), the MIME tree is walked without recursion to at most {@value #MAX_DEPTH} levels and
 * {@value #MAX_PARTS} parts (counted as Jakarta Mail creates them, not as they are visited), the walk stops when
 * the message has used its time budget, and every value is cut to a
 * size a database index and a browser can take (identifiers, names, subjects, bodies).
 */
public final class MimeReader {

    static final int MAX_DEPTH = 50;
    static final int MAX_PARTS = 1000;
    static final int MAX_BOUNDARY = 256;
    /** Message-IDs (RFC 5322 puts them on a 998-character line; real ones are under 100): a btree key stays small. */
    static final int MAX_ID = 500;
    static final int MAX_FILENAME = 500;
    /** HTML-only messages: this much of the HTML's text is kept for search (the search index reads no more). */
    static final int HTML_TEXT_LENGTH = 20_000;
    /** Raw header values longer than this are cut before they are decoded (an unfolded line is 998 at most). */
    static final int MAX_RAW_HEADER = 64 * 1024;

    private static final int SNIPPET_LENGTH = 200;
    private static final Session SESSION;

    static {
        // Jakarta Mail looks its StreamProvider up through ServiceLoader for every body part it parses, which
        // costs more than the parsing; naming the provider turns that into a cached class lookup.
        if (System.getProperty("jakarta.mail.util.StreamProvider") == null) {
            System.setProperty("jakarta.mail.util.StreamProvider", "org.eclipse.angus.mail.util.MailStreamProvider");
        }
        SESSION = Session.getInstance(parsingProperties());
    }

    private MimeReader() {
    }

    public static ParsedMessage read(byte[] raw) {
        return read(raw, 0, raw.length, ReadLimits.DEFAULT);
    }

    /**
     * Reads the message in {@code length} bytes of {@code buffer} from {@code offset} (without copying them). Never
     * throws: should reading fail in a way nobody foresaw, the message is kept with a note of it and nothing else
     * (a message the reader cannot read must not stop its folder).
     */
    public static ParsedMessage read(byte[] buffer, int offset, int length, ReadLimits limits) {
        return read(new SharedBytes(buffer, offset, length), buffer, offset, length, limits);
    }

    /** Reads the message from {@code source}: a {@link SharedInputStream} over the same bytes. */
    static ParsedMessage read(SharedInputStream source, byte[] buffer, int offset, int length, ReadLimits limits) {
        try {
            return readGuarded((InputStream) source, buffer, offset, length, limits);
        } catch (RuntimeException | StackOverflowError e) {
            return unreadable("unreadable message: " + e, limits);
        }
    }

    /** A message of which nothing could be read, with a note of why (it is stored malformed, never skipped). */
    public static ParsedMessage unreadable(String why, ReadLimits limits) {
        Problems problems = new Problems();
        problems.add(why);
        return new Body(limits).message(MessageHeaders.NONE, problems);
    }

    private static ParsedMessage readGuarded(InputStream source, byte[] buffer, int offset, int length,
            ReadLimits limits) {
        Problems problems = new Problems();
        MimeMessage message;
        try {
            message = new MimeMessage(SESSION, source);
        } catch (MessagingException | RuntimeException e) {
            problems.add("unparseable message: " + e.getMessage());
            Body body = new Body(limits);
            body.text = body.cut(new String(buffer, offset, (int) Math.min(length, limits.maxBodyBytes()),
                    StandardCharsets.UTF_8));
            body.truncated |= length > limits.maxBodyBytes();
            return body.message(MessageHeaders.NONE, problems);
        }
        MessageHeaders headers = MessageHeaders.read(message, problems);
        Body body = new Body(limits);
        try {
            walk(message, body, problems, System.nanoTime() + limits.parseBudget().toNanos());
        } catch (MessagingException | IOException | RuntimeException | StackOverflowError e) {
            // the walk has no recursion of its own; this guards against a library's
            problems.add("MIME structure: " + e.getMessage());
        }
        return body.message(headers, problems);
    }

    /** Only the headers (a message synced from its headers and BODYSTRUCTURE): no body, no attachments yet. */
    public static ParsedMessage readHeaders(byte[] header, ReadLimits limits) {
        Problems problems = new Problems();
        try {
            MimeMessage message = new MimeMessage(SESSION, new SharedBytes(header));
            return new Body(limits).message(MessageHeaders.read(message, problems), problems);
        } catch (MessagingException | RuntimeException e) {
            problems.add("unparseable header: " + e.getMessage());
            return new Body(limits).message(MessageHeaders.NONE, problems);
        }
    }

    /**
     * Depth-first over the MIME tree with a stack of its own (a message nested thousands of levels deep cannot
     * overflow the thread's); the section of a part is its IMAP section ("1" for the body of a single-part message).
     */
    private static void walk(MimePart message, Body body, Problems problems, long deadline)
            throws MessagingException, IOException {
        Deque<Node> stack = new ArrayDeque<>();
        stack.push(new Node(message, "", false, 0));
        BoundedMultipart.PartBudget created = new BoundedMultipart.PartBudget(MAX_PARTS);
        while (!stack.isEmpty()) {
            Node node = stack.pop();
            if (System.nanoTime() > deadline) {
                problems.add("parse budget used up: the rest of the message is not read");
                body.truncated = true;
                return;
            }
            String type = baseType(node.part, problems);
            if (type.startsWith("multipart/")) {
                if (node.depth >= MAX_DEPTH) {
                    problems.add("MIME parts nested deeper than " + MAX_DEPTH + " levels are not read");
                    continue;
                }
                if (!boundaryFits(node.part)) {
                    // RFC 2046 allows 70 characters; Jakarta Mail's boundary search takes time in the square of it
                    problems.add("multipart boundary longer than " + MAX_BOUNDARY + " characters: kept as one part");
                    leaf(node, type, body, problems);
                    continue;
                }
                MimeMultipart multipart = new BoundedMultipart(new MimePartDataSource(node.part), created);
                int count = multipart.getCount();
                if (created.usedUp() && !created.reported) {
                    created.reported = true;
                    problems.add("more than " + MAX_PARTS + " MIME parts: the rest is not read");
                }
                for (int i = count - 1; i >= 0; i--) {
                    String path = node.path.isEmpty() ? String.valueOf(i + 1) : node.path + "." + (i + 1);
                    stack.push(new Node((MimePart) multipart.getBodyPart(i), path, type.equals("multipart/related"),
                            node.depth + 1));
                }
                if (!multipart.isComplete() && !created.usedUp()) {
                    problems.add("unclosed multipart boundary");
                }
            } else {
                leaf(node, type, body, problems);
            }
        }
    }

    private static void leaf(Node node, String type, Body body, Problems problems) {
        MimePart part = node.part;
        String section = node.path.isEmpty() ? "1" : node.path;
        String disposition = disposition(part);
        String filename = filename(part, problems);
        boolean bodyText = (type.equals("text/plain") || type.equals("text/html")) && !"attachment".equals(disposition);
        if (bodyText && type.equals("text/plain") && body.text == null) {
            body.text = text(part, body, problems);
            return;
        }
        if (bodyText && type.equals("text/html") && body.html == null) {
            body.html = text(part, body, problems);
            return;
        }
        if (bodyText && filename == null) {
            return; // further inline text of the message (alternative copies, signatures), not a file
        }
        String contentId = MessageHeaders.bracketsOff(header(part, "Content-ID"));
        boolean inline = "inline".equals(disposition) || node.inRelated && contentId != null;
        body.attachments.add(new AttachmentInfo(body.attachments.size() + 1, section,
                filename != null ? filename : type.equals("message/rfc822") ? "message.eml" : null,
                PgText.truncate(type, 200), decodedSize(part), PgText.truncate(contentId, MAX_ID), inline));
    }

    /** A text part decoded by its charset (without the activation framework's content handlers), cut to size. */
    private static String text(MimePart part, Body body, Problems problems) {
        try (InputStream in = decoded(part)) {
            TextPart text = text(in, charset(part), body.limits, problems);
            body.truncated |= text.truncated();
            return text.value();
        } catch (MessagingException | IOException | RuntimeException e) {
            problems.add("undecodable text part: " + e.getMessage());
            return null;
        }
    }

    /**
     * A text part from its transfer-encoded bytes, read as {@link #text(MimePart, Body, Problems)} reads a part of a
     * whole message (the same decoders, the same limits, the same notes): for a part fetched on its own.
     *
     * @param encoding its Content-Transfer-Encoding (null: none)
     */
    static TextPart text(byte[] encoded, String encoding, String charset, ReadLimits limits, Problems problems) {
        InputStream raw = new java.io.ByteArrayInputStream(encoded);
        try (InputStream in = encoding == null ? raw : decoded(raw, encoding)) {
            return text(in, charset, limits, problems);
        } catch (MessagingException | IOException | RuntimeException e) {
            problems.add("undecodable text part: " + e.getMessage());
            return new TextPart(null, false);
        }
    }

    /** A part's content, transfer-decoded as {@link Part#getInputStream()} decodes a text part. */
    private static InputStream decoded(MimePart part) throws MessagingException, IOException {
        String encoding = part.getEncoding();
        if (!QuotedPrintableStream.ENCODING.equalsIgnoreCase(encoding)) {
            return part.getInputStream();
        }
        return new QuotedPrintableStream(part instanceof MimeMessage message ? message.getRawInputStream()
                : ((MimeBodyPart) part).getRawInputStream());
    }

    private static InputStream decoded(InputStream raw, String encoding) throws MessagingException {
        return QuotedPrintableStream.ENCODING.equalsIgnoreCase(encoding) ? new QuotedPrintableStream(raw)
                : MimeUtility.decode(raw, encoding);
    }

    /**
     * The one place a text part's decoded bytes become its stored text: up to 4 bytes of the part per byte kept
     * (enough for any charset: UTF-32 is the widest), turned into text by the charset, cut to the body limit.
     */
    private static TextPart text(InputStream decoded, String charset, ReadLimits limits, Problems problems)
            throws IOException {
        long keep = 4 * limits.maxBodyBytes();
        byte[] bytes = decoded.readNBytes((int) Math.min(keep, Integer.MAX_VALUE - 8));
        boolean more = decoded.read() >= 0;
        String value = decode(bytes, charset, problems);
        String cut = cut(value, limits.maxBodyBytes());
        return new TextPart(cut, more || cut != value);
    }

    /** A text part's stored text and whether it was cut. */
    record TextPart(String value, boolean truncated) {
    }

    static String decode(byte[] bytes, String charset, Problems problems) {
        if (charset != null) {
            try {
                return new String(bytes, Charset.forName(MimeUtility.javaCharset(charset.strip())));
            } catch (IllegalArgumentException e) {
                problems.add("unknown charset: " + charset);
            }
        }
        // no or unknown charset: UTF-8 if the bytes are, else Latin-1 (every byte sequence is)
        String utf8 = new String(bytes, StandardCharsets.UTF_8);
        return utf8.indexOf('\uFFFD') < 0 ? utf8 : new String(bytes, StandardCharsets.ISO_8859_1);
    }

    private static String charset(Part part) {
        try {
            return new ContentType(part.getContentType()).getParameter("charset");
        } catch (MessagingException | RuntimeException e) {
            return null; // no usable Content-Type: guessed
        }
    }

    private static boolean boundaryFits(Part part) {
        try {
            String boundary = new ContentType(part.getContentType()).getParameter("boundary");
            return boundary == null || boundary.length() <= MAX_BOUNDARY;
        } catch (MessagingException | RuntimeException e) {
            return true; // Jakarta Mail decides what to make of it
        }
    }

    private static String baseType(Part part, Problems problems) {
        try {
            String raw = part.getContentType();
            return raw == null ? "text/plain" : new ContentType(raw).getBaseType().toLowerCase(Locale.ROOT);
        } catch (MessagingException | RuntimeException e) {
            problems.add("bad Content-Type");
            return "application/octet-stream";
        }
    }

    private static String disposition(Part part) {
        try {
            String d = part.getDisposition();
            return d == null ? null : d.toLowerCase(Locale.ROOT);
        } catch (MessagingException | RuntimeException e) {
            return null;
        }
    }

    private static String filename(Part part, Problems problems) {
        try {
            String name = part.getFileName();
            if (name != null && name.contains("=?")) {
                name = MimeUtility.decodeText(PgText.truncate(name, 4 * MAX_FILENAME));
            }
            return name == null || name.isBlank() ? null : filename(name);
        } catch (MessagingException | UnsupportedEncodingException | RuntimeException e) {
            problems.add("bad attachment filename");
            return null;
        }
    }

    /** No line breaks or other control characters in a file name (they end up in headers and on screens). */
    static String filename(String name) {
        StringBuilder clean = new StringBuilder(Math.min(name.length(), MAX_FILENAME + 1));
        // one character more than kept: the truncation below then never leaves half a surrogate pair at the end
        for (int i = 0; i < name.length() && clean.length() <= MAX_FILENAME; i++) {
            char c = name.charAt(i);
            if (c == '\r' || c == '\n' || c == '\t') {
                if (clean.isEmpty() || clean.charAt(clean.length() - 1) != ' ') {
                    clean.append(' ');
                }
            } else if (!Character.isISOControl(c)) {
                clean.append(c);
            }
        }
        String stripped = PgText.truncate(clean.toString(), MAX_FILENAME).strip();
        return stripped.isEmpty() ? null : stripped;
    }

    private static long decodedSize(Part part) {
        try {
            int size = part.getSize();
            if (size < 0) {
                return 0;
            }
            String encoding = part instanceof MimePart mime ? mime.getEncoding() : null;
            // base64 in lines of 76 characters plus CRLF: 78 bytes carry 57
            return "base64".equalsIgnoreCase(encoding) ? size * 57L / 78 : size;
        } catch (MessagingException | RuntimeException e) {
            return 0;
        }
    }

    static String header(Part part, String name) {
        try {
            String[] values = part.getHeader(name);
            return values == null || values.length == 0 ? null : PgText.truncate(values[0], MAX_RAW_HEADER);
        } catch (MessagingException | RuntimeException e) {
            return null;
        }
    }

    /** The longest start of {@code value} whose UTF-8 form has at most {@code maxBytes} (the same string if all). */
    static String cut(String value, long maxBytes) {
        if (value == null || value.length() * 3L <= maxBytes) {
            return value;
        }
        long bytes = 0;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            bytes += c < 0x80 ? 1 : c < 0x800 || Character.isSurrogate(c) ? 2 : 3; // a pair: 4 bytes
            if (bytes > maxBytes) {
                return PgText.truncate(value, i);
            }
        }
        return value;
    }

    /** The first 200 characters of the text with runs of white space collapsed (reads no further). */
    static String snippet(String text) {
        if (text == null) {
            return null;
        }
        StringBuilder snippet = new StringBuilder(SNIPPET_LENGTH);
        boolean space = false;
        for (int i = 0; i < text.length() && snippet.length() < SNIPPET_LENGTH; i++) {
            char c = text.charAt(i);
            if (Character.isWhitespace(c) || c == '\0') {
                space = !snippet.isEmpty();
            } else {
                if (space) {
                    snippet.append(' ');
                    space = false;
                }
                snippet.append(c);
            }
        }
        return PgText.truncate(snippet.toString(), SNIPPET_LENGTH);
    }

    private static Properties parsingProperties() {
        Properties p = new Properties();
        p.put("mail.mime.allowutf8", "true");                      // raw 8-bit UTF-8 headers
        p.put("mail.mime.decodefilename", "true");                 // RFC 2047 filenames
        p.put("mail.mime.decodeparameters", "true");               // RFC 2231 parameters
        p.put("mail.mime.base64.ignoreerrors", "true");            // keep what bad base64 still yields
        p.put("mail.mime.multipart.ignoremissingendboundary", "true");
        p.put("mail.mime.multipart.allowempty", "true");
        p.put("mail.mime.parameters.strict", "false");
        p.put("mail.mime.address.strict", "false");
        p.put("mail.mime.ignoreunknownencoding", "true");
        return p;
    }

    private record Node(MimePart part, String path, boolean inRelated, int depth) {
    }

    /** The bodies and attachments found so far, cut to the limits. */
    private static final class Body {
        final ReadLimits limits;
        String text;
        String html;
        boolean truncated;
        final List<AttachmentInfo> attachments = new ArrayList<>();

        Body(ReadLimits limits) {
            this.limits = limits;
        }

        String cut(String value) {
            String cut = MimeReader.cut(value, limits.maxBodyBytes());
            truncated |= cut != value;
            return cut;
        }

        ParsedMessage message(MessageHeaders h, Problems problems) {
            String htmlText = text == null && html != null ? HtmlText.toText(html, HTML_TEXT_LENGTH) : null;
            return new ParsedMessage(h.messageId(), h.inReplyTo(), h.references(), h.subject(), h.from(), h.to(),
                    h.cc(), h.bcc(), h.replyTo(), h.listUnsubscribe(), h.sentAt(), text, html,
                    snippet(text != null ? text : htmlText), htmlText, truncated, List.copyOf(attachments),
                    problems.list());
        }
    }
}
