package dev.mailsync.message;

import java.io.IOException;
import java.io.InputStream;
import java.io.UnsupportedEncodingException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.mail.BodyPart;
import jakarta.mail.MessagingException;
import jakarta.mail.Part;
import jakarta.mail.Session;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.ContentType;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import jakarta.mail.internet.MimePart;
import jakarta.mail.internet.MimePartDataSource;
import jakarta.mail.internet.MimeUtility;
import jakarta.mail.util.SharedByteArrayInputStream;

/**
 * Reads a raw RFC 5322 message into a {@link ParsedMessage}, keeping whatever parses: a bad header, an unknown
 * charset, broken base64 or an unclosed multipart is noted in {@code problems}, never fatal.
 */
public final class MimeReader {

    private static final Pattern MSG_ID = Pattern.compile("<([^<>\\s]+)>");
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
        return read(raw, 0, raw.length);
    }

    /** Reads the message in {@code length} bytes of {@code buffer} from {@code offset} (without copying them). */
    public static ParsedMessage read(byte[] buffer, int offset, int length) {
        List<String> problems = new ArrayList<>();
        MimeMessage message;
        try {
            message = new MimeMessage(SESSION, new SharedByteArrayInputStream(buffer, offset, length));
        } catch (MessagingException e) {
            problems.add("unparseable message: " + e.getMessage());
            String text = new String(buffer, offset, length, StandardCharsets.UTF_8);
            return new ParsedMessage(null, null, List.of(), null, List.of(), List.of(), List.of(), List.of(),
                    List.of(), null, null, clean(text), null, snippet(text), List.of(), problems);
        }
        String messageId = firstId(header(message, "Message-ID", problems));
        if (messageId == null) {
            problems.add("no Message-ID");
        }
        Body body = new Body();
        try {
            walk(message, "", body, problems, false);
        } catch (MessagingException | IOException | RuntimeException e) {
            problems.add("MIME structure: " + e.getMessage());
        }
        String text = body.text != null ? body.text : body.html != null ? HtmlText.toText(body.html) : null;
        return new ParsedMessage(messageId, firstId(header(message, "In-Reply-To", problems)),
                ids(header(message, "References", problems)), subject(message, problems),
                addresses(message, "From", problems), addresses(message, "To", problems),
                addresses(message, "Cc", problems), addresses(message, "Bcc", problems),
                addresses(message, "Reply-To", problems), clean(header(message, "List-Unsubscribe", problems)),
                sentAt(message, problems), clean(body.text),
                clean(body.html), snippet(text), List.copyOf(body.attachments), problems);
    }

    /** Depth-first over the MIME tree; {@code path} is the IMAP section of the part ("" for the message). */
    private static void walk(Part part, String path, Body body, List<String> problems, boolean inRelated)
            throws MessagingException, IOException {
        String type = baseType(part, problems);
        if (type.startsWith("multipart/")) {
            MimeMultipart multipart = new MimeMultipart(new MimePartDataSource((MimePart) part));
            for (int i = 0; i < multipart.getCount(); i++) {
                BodyPart child = multipart.getBodyPart(i);
                walk(child, path.isEmpty() ? String.valueOf(i + 1) : path + "." + (i + 1), body, problems,
                        type.equals("multipart/related"));
            }
            if (!multipart.isComplete()) {
                problems.add("unclosed multipart boundary");
            }
            return;
        }
        String section = sectionOf(path);
        String disposition = disposition(part);
        String filename = filename(part, problems);
        boolean bodyText = (type.equals("text/plain") || type.equals("text/html")) && !"attachment".equals(disposition);
        if (bodyText && type.equals("text/plain") && body.text == null) {
            body.text = text(part, problems);
            return;
        }
        if (bodyText && type.equals("text/html") && body.html == null) {
            body.html = text(part, problems);
            return;
        }
        if (bodyText && filename == null) {
            return; // further inline text of the message (alternative copies, signatures), not a file
        }
        String contentId = header(part, "Content-ID");
        boolean inline = "inline".equals(disposition) || inRelated && contentId != null;
        body.attachments.add(new AttachmentInfo(body.attachments.size() + 1, section,
                filename != null ? filename : type.equals("message/rfc822") ? "message.eml" : null, type,
                decodedSize(part), contentId == null ? null : contentId.replaceAll("^\\s*<|>\\s*$", ""), inline));
    }

    /** A text part decoded by its charset (without the activation framework's content handlers). */
    private static String text(Part part, List<String> problems) {
        byte[] bytes;
        try (InputStream in = part.getInputStream()) {
            bytes = in.readAllBytes();
        } catch (MessagingException | IOException | RuntimeException e) {
            problems.add("undecodable text part: " + e.getMessage());
            return null;
        }
        String charset = null;
        try {
            charset = new ContentType(part.getContentType()).getParameter("charset");
        } catch (MessagingException | RuntimeException e) {
            // no usable Content-Type: guess below
        }
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

    private static String baseType(Part part, List<String> problems) {
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

    private static String filename(Part part, List<String> problems) {
        try {
            String name = part.getFileName();
            if (name != null && name.contains("=?")) {
                name = MimeUtility.decodeText(name);
            }
            return name == null || name.isBlank() ? null : name.strip();
        } catch (MessagingException | UnsupportedEncodingException | RuntimeException e) {
            problems.add("bad attachment filename");
            return null;
        }
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

    private static String subject(MimeMessage message, List<String> problems) {
        try {
            return clean(message.getSubject());
        } catch (MessagingException | RuntimeException e) {
            problems.add("bad Subject");
            return clean(header(message, "Subject", problems));
        }
    }

    private static Instant sentAt(MimeMessage message, List<String> problems) {
        try {
            java.util.Date date = message.getSentDate();
            if (date == null && header(message, "Date", problems) != null) {
                problems.add("unparseable Date");
            }
            return date == null ? null : date.toInstant();
        } catch (MessagingException | RuntimeException e) {
            problems.add("unparseable Date");
            return null;
        }
    }

    private static List<EmailAddress> addresses(MimeMessage message, String name, List<String> problems) {
        String value = header(message, name, problems);
        if (value == null || value.isBlank()) {
            return List.of();
        }
        try {
            List<EmailAddress> list = new ArrayList<>();
            for (InternetAddress a : InternetAddress.parseHeader(value, false)) {
                if (a.isGroup()) {
                    for (InternetAddress member : a.getGroup(false)) {
                        list.add(address(member));
                    }
                } else if (a.getAddress() != null && !a.getAddress().isBlank()) {
                    list.add(address(a));
                }
            }
            return list;
        } catch (AddressException e) {
            problems.add("bad " + name + " address");
            return List.of(new EmailAddress(null, clean(value.strip())));
        }
    }

    private static EmailAddress address(InternetAddress a) {
        return new EmailAddress(clean(a.getPersonal()), clean(a.getAddress()));
    }

    private static String header(Part part, String name) {
        try {
            String[] values = part.getHeader(name);
            return values == null || values.length == 0 ? null : values[0];
        } catch (MessagingException e) {
            return null;
        }
    }

    private static String header(MimeMessage message, String name, List<String> problems) {
        try {
            String[] values = message.getHeader(name);
            if (values == null || values.length == 0) {
                return null;
            }
            if (values.length > 1 && !name.equals("References")) {
                problems.add("duplicate " + name);
            }
            return MimeUtility.unfold(values[0]);
        } catch (MessagingException e) {
            return null;
        }
    }

    private static String firstId(String value) {
        if (value == null) {
            return null;
        }
        Matcher m = MSG_ID.matcher(value);
        if (m.find()) {
            return m.group(1);
        }
        String bare = value.strip();
        return bare.isEmpty() || bare.contains(" ") ? null : bare;
    }

    private static List<String> ids(String value) {
        if (value == null) {
            return List.of();
        }
        List<String> ids = new ArrayList<>();
        Matcher m = MSG_ID.matcher(value);
        while (m.find()) {
            ids.add(m.group(1));
        }
        return ids;
    }

    private static String sectionOf(String path) {
        return path.isEmpty() ? "1" : path;
    }

    /** PostgreSQL text cannot hold NUL characters. */
    static String clean(String value) {
        return value == null ? null : value.indexOf('\0') < 0 ? value : value.replace("\0", "");
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
        return snippet.length() > SNIPPET_LENGTH ? snippet.substring(0, SNIPPET_LENGTH) : snippet.toString();
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

    private static final class Body {
        String text;
        String html;
        final List<AttachmentInfo> attachments = new ArrayList<>();
    }

}
