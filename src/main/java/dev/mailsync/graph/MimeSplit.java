package dev.mailsync.graph;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import jakarta.mail.MessagingException;
import jakarta.mail.Part;
import jakarta.mail.internet.ContentType;
import jakarta.mail.internet.InternetHeaders;
import jakarta.mail.internet.MimeBodyPart;

/**
 * Cuts a message too large for one Graph request into what Graph's documented path for large mail takes: a draft
 * (the MIME without its largest attachments, byte for byte otherwise, so headers and Message-ID stay) and the
 * attachments taken out (decoded, with name, type, inline flag and Content-ID), which are then added to the draft
 * one by one. Only attachments directly inside the top-level multipart are taken out, largest first, until the
 * rest fits. Pure.
 */
final class MimeSplit {

    /** An attachment taken out of the message. */
    record Attachment(String name, String contentType, boolean inline, String contentId, byte[] content) {
    }

    /** The draft's MIME and the attachments to add to it, in the message's order. */
    record Split(byte[] draft, List<Attachment> attachments) {
    }

    private record Candidate(int index, int from, int to, MimeBodyPart part) {
    }

    private MimeSplit() {
    }

    /** Base64 size of {@code n} bytes. */
    static long base64Size(long n) {
        return 4 * ((n + 2) / 3);
    }

    /**
     * @param limit the most base64 bytes the draft may take
     * @throws IllegalArgumentException when no choice of attachments leaves a draft within the limit
     */
    static Split split(byte[] mime, long limit) {
        int bodyStart = bodyStart(mime);
        String boundary = boundary(mime, bodyStart);
        byte[] delimiter = ("--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
        List<Integer> starts = new ArrayList<>();
        for (int p = bodyStart; p <= mime.length - delimiter.length; p++) {
            if ((p == bodyStart || mime[p - 1] == '\n') && startsWith(mime, p, delimiter)
                    && endsDelimiter(mime, p + delimiter.length)) {
                starts.add(p);
                p += delimiter.length - 1;
            }
        }
        List<Candidate> candidates = new ArrayList<>();
        // part i runs from the line after delimiter i to the line break before delimiter i + 1; part 0 is the text
        for (int i = 1; i + 1 < starts.size(); i++) {
            int from = starts.get(i);
            int contentFrom = lineEnd(mime, from);
            int contentTo = starts.get(i + 1) - (mime[starts.get(i + 1) - 2] == '\r' ? 2 : 1);
            MimeBodyPart part = part(mime, contentFrom, contentTo);
            if (isAttachment(part)) {
                candidates.add(new Candidate(i, from, starts.get(i + 1), part));
            }
        }
        candidates.sort(Comparator.comparingInt((Candidate c) -> c.to() - c.from()).reversed());
        List<Candidate> out = new ArrayList<>();
        long size = mime.length;
        for (Candidate c : candidates) {
            if (base64Size(size) <= limit) {
                break;
            }
            out.add(c);
            size -= c.to() - c.from();
        }
        if (base64Size(size) > limit) {
            throw new IllegalArgumentException("without its attachments the message still takes " + size
                    + " bytes, more than one Graph request carries");
        }
        out.sort(Comparator.comparingInt(Candidate::index));
        ByteArrayOutputStream draft = new ByteArrayOutputStream((int) size);
        int at = 0;
        List<Attachment> attachments = new ArrayList<>();
        for (Candidate c : out) {
            draft.write(mime, at, c.from() - at);
            at = c.to();
            attachments.add(attachment(c.part()));
        }
        draft.write(mime, at, mime.length - at);
        return new Split(draft.toByteArray(), attachments);
    }

    private static int bodyStart(byte[] mime) {
        for (int i = 0; i + 1 < mime.length; i++) {
            if (mime[i] == '\n' && (mime[i + 1] == '\n' || (mime[i + 1] == '\r' && i + 2 < mime.length
                    && mime[i + 2] == '\n'))) {
                return i + (mime[i + 1] == '\n' ? 2 : 3);
            }
        }
        throw new IllegalArgumentException("the message has no body");
    }

    private static String boundary(byte[] mime, int bodyStart) {
        try {
            InternetHeaders headers = new InternetHeaders(new ByteArrayInputStream(mime, 0, bodyStart));
            String type = headers.getHeader("Content-Type", null);
            ContentType contentType = new ContentType(type == null ? "text/plain" : type);
            String boundary = contentType.getParameter("boundary");
            if (!contentType.match("multipart/*") || boundary == null) {
                throw new IllegalArgumentException("the message has no attachments to upload separately");
            }
            return boundary;
        } catch (MessagingException e) {
            throw new IllegalArgumentException("the message's header cannot be read: " + e.getMessage());
        }
    }

    private static MimeBodyPart part(byte[] mime, int from, int to) {
        try {
            return new MimeBodyPart(new ByteArrayInputStream(mime, from, Math.max(0, to - from)));
        } catch (MessagingException e) {
            throw new IllegalArgumentException("a part of the message cannot be read: " + e.getMessage());
        }
    }

    private static boolean isAttachment(MimeBodyPart part) {
        try {
            return !part.isMimeType("multipart/*")
                    && (Part.ATTACHMENT.equalsIgnoreCase(part.getDisposition()) || part.getFileName() != null);
        } catch (MessagingException e) {
            return false;
        }
    }

    private static Attachment attachment(MimeBodyPart part) {
        try (var in = part.getInputStream()) {
            String name = part.getFileName();
            String id = part.getContentID();
            return new Attachment(name == null ? "attachment" : name,
                    new ContentType(part.getContentType()).getBaseType().toLowerCase(),
                    Part.INLINE.equalsIgnoreCase(part.getDisposition()),
                    id == null ? null : id.replaceAll("^\\s*<|>\\s*$", ""), in.readAllBytes());
        } catch (MessagingException | IOException e) {
            throw new IllegalArgumentException("an attachment cannot be decoded: " + e.getMessage());
        }
    }

    private static boolean startsWith(byte[] data, int at, byte[] prefix) {
        for (int i = 0; i < prefix.length; i++) {
            if (data[at + i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    /** After {@code --boundary}: the line's end, {@code --} (the last one) or white space, not a longer boundary. */
    private static boolean endsDelimiter(byte[] data, int at) {
        return at >= data.length || (data[at] == '-' && at + 1 < data.length && data[at + 1] == '-')
                || data[at] == '\r' || data[at] == '\n' || data[at] == ' '
                || data[at] == '\t';
    }

    private static int lineEnd(byte[] data, int from) {
        for (int i = from; i < data.length; i++) {
            if (data[i] == '\n') {
                return i + 1;
            }
        }
        return data.length;
    }
}
