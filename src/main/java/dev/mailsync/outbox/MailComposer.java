package dev.mailsync.outbox;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UnsupportedEncodingException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

import jakarta.activation.DataHandler;
import jakarta.activation.DataSource;
import jakarta.mail.Message.RecipientType;
import jakarta.mail.MessagingException;
import jakarta.mail.Part;
import jakarta.mail.Session;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import jakarta.mail.internet.MimeUtility;
import jakarta.mail.util.ByteArrayDataSource;

import org.jsoup.Jsoup;

import dev.mailsync.common.problem.Problem.FieldError;
import dev.mailsync.common.problem.ProblemException;
import dev.mailsync.message.AttachmentInfo;
import dev.mailsync.message.EmailAddress;
import dev.mailsync.message.SubjectPrefixes;
import dev.mailsync.outbox.SendRequest.Recipient;

/**
 * Turns a {@link SendRequest} into the exact RFC 5322 bytes that will be submitted: recipients (filled from the
 * original for replies), Message-ID, Date, RFC 2047 encoded headers, multipart/alternative for text + HTML,
 * attachments (RFC 2231 file names). Invalid input is collected field by field and answered as one 400 problem.
 */
final class MailComposer {

    private static final Session SESSION = Session.getInstance(new Properties());
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int MAX_REFERENCES = 20;

    private MailComposer() {
    }

    /** The sending mailbox. */
    record Sender(String address, String displayName) {
    }

    /**
     * An attachment of the original that a forward carries: its part on the server (read while the message is
     * written out, so it is never held whole), and what the original said about it (from received mail: cleaned
     * before it goes into a header).
     */
    record Forwarded(Part part, String filename, String contentType, long size) {
    }

    /** What gets stored in the outbox: the bytes, and what the API shows about them. */
    record Composed(byte[] mime, String messageId, String subject, List<EmailAddress> to, List<EmailAddress> cc,
            List<EmailAddress> bcc, List<String> envelope) {
    }

    /**
     * Refuses, before anything is fetched, a forward whose attachments (their stored sizes) with the request's own
     * cannot fit {@code max-message-size} once base64-encoded.
     */
    static void checkForwardedSize(SendRequest request, List<AttachmentInfo> carried, OutboxConfig config) {
        long forwarded = carried.stream().mapToLong(AttachmentInfo::size).sum();
        long own = request.attachments().stream().mapToLong(a -> a.content() == null ? 0 : a.content().length).sum();
        long max = config.maxMessageSize().asLongValue();
        if (forwarded > 0 && (forwarded + own) * 4 / 3 > max) {
            throw ProblemException.invalid(List.of(new FieldError("reference", "the original's attachments come to "
                    + megabytes(forwarded * 4 / 3) + " encoded" + (own > 0 ? ", with this message's "
                    + megabytes((forwarded + own) * 4 / 3) : "") + "; the limit for the whole message is "
                    + megabytes(max))));
        }
    }

    /** Bytes a composition holds: the message as built, and its copy (attachments base64-encoded). */
    static long memoryNeeded(SendRequest request, List<AttachmentInfo> carried) {
        long attachments = carried.stream().mapToLong(AttachmentInfo::size).sum()
                + request.attachments().stream().mapToLong(a -> a.content() == null ? 0 : a.content().length).sum();
        long bodies = (request.text() == null ? 0 : request.text().length())
                + 2L * (request.html() == null ? 0 : request.html().length());
        return 2 * (attachments * 4 / 3 + bodies * 2 + 64 * 1024);
    }

    /**
     * @throws MessagingException when a forwarded attachment cannot be read from the server
     * @throws IOException likewise
     */
    static Composed compose(Sender sender, SendRequest request, Original original, List<Forwarded> forwarded,
            OutboxConfig config) throws MessagingException, IOException {
        List<FieldError> errors = new ArrayList<>();
        ReferenceAction action = request.reference() == null ? null : request.reference().kind();
        Recipients recipients = recipients(sender, request, original, action, config, errors);
        List<byte[]> contents = attachmentContents(request, forwarded, config, errors);
        if (!errors.isEmpty()) {
            throw ProblemException.invalid(errors);
        }
        String messageId = "<" + randomId() + "@" + domain(sender.address()) + ">";
        String subject = subject(request.subject(), original, action);
        MimeMessage message = headers(sender, messageId, recipients, subject, original, action);
        setBody(message, request, forwarded, contents);
        message.saveChanges();
        byte[] mime = writeOut(message, contents, forwarded, config);
        return new Composed(mime, messageId, subject, views(recipients.to()), views(recipients.cc()),
                views(recipients.bcc()), recipients.envelope());
    }

    /** The parsed recipients of a message. */
    private record Recipients(List<InternetAddress> to, List<InternetAddress> cc, List<InternetAddress> bcc,
            List<InternetAddress> replyTo) {

        /** Every address to submit to (RCPT TO), each once. */
        List<String> envelope() {
            List<String> envelope = new ArrayList<>();
            for (List<InternetAddress> list : List.of(to, cc, bcc)) {
                list.forEach(a -> envelope.add(a.getAddress()));
            }
            return envelope.stream().distinct().toList();
        }
    }

    /**
     * The request's recipients, checked field by field into {@code errors}; a reply without any takes them from the
     * original.
     */
    private static Recipients recipients(Sender sender, SendRequest request, Original original,
            ReferenceAction action, OutboxConfig config, List<FieldError> errors) {
        List<InternetAddress> to = addresses("to", request.to(), errors);
        List<InternetAddress> cc = addresses("cc", request.cc(), errors);
        List<InternetAddress> bcc = addresses("bcc", request.bcc(), errors);
        List<InternetAddress> replyTo = addresses("replyTo", request.replyTo(), errors);
        if (original != null && to.isEmpty() && cc.isEmpty() && bcc.isEmpty() && action.isReply()) {
            fillReplyRecipients(sender, original, action == ReferenceAction.REPLY_ALL, to, cc);
        }
        int count = to.size() + cc.size() + bcc.size();
        if (count == 0 && errors.isEmpty()) {
            errors.add(new FieldError("to", "give at least one recipient (to, cc or bcc)"));
        }
        if (count > config.maxRecipients()) {
            errors.add(new FieldError("to", "at most " + config.maxRecipients() + " recipients (to, cc and bcc)"));
        }
        return new Recipients(to, cc, bcc, replyTo);
    }

    /** A message with its headers: our Message-ID, From, recipients (Bcc left out), subject, Date, threading. */
    private static MimeMessage headers(Sender sender, String messageId, Recipients recipients, String subject,
            Original original, ReferenceAction action) throws MessagingException, UnsupportedEncodingException {
        MimeMessage message = new MimeMessage(SESSION) {
            @Override
            protected void updateMessageID() throws MessagingException {
                setHeader("Message-ID", messageId);
            }
        };
        message.setFrom(new InternetAddress(sender.address(), blankToNull(sender.displayName()), "UTF-8"));
        message.setRecipients(RecipientType.TO, recipients.to().toArray(InternetAddress[]::new));
        message.setRecipients(RecipientType.CC, recipients.cc().toArray(InternetAddress[]::new));
        if (!recipients.replyTo().isEmpty()) {
            message.setReplyTo(recipients.replyTo().toArray(InternetAddress[]::new));
        }
        message.setSubject(subject, "UTF-8");
        message.setSentDate(new Date());
        if (original != null && original.messageId() != null && action.isReply()) {
            message.setHeader("In-Reply-To", angled(original.messageId()));
            message.setHeader("References", MimeUtility.fold(12, String.join(" ", references(original))));
        }
        return message;
    }

    /** The message's bytes; a 400 problem when they would exceed {@code max-message-size}. */
    private static byte[] writeOut(MimeMessage message, List<byte[]> contents, List<Forwarded> forwarded,
            OutboxConfig config) throws MessagingException, IOException {
        long attachmentBytes = contents.stream().mapToLong(c -> c.length).sum()
                + forwarded.stream().mapToLong(Forwarded::size).sum();
        long max = config.maxMessageSize().asLongValue();
        // sized for the base64 attachments up front: no doubling copies of a message of many megabytes; and never
        // beyond the limit, whatever the stored sizes of forwarded attachments claimed
        Bounded out = new Bounded((int) Math.min(max + 1, attachmentBytes * 137 / 100 + 64 * 1024), max);
        try {
            message.writeTo(out);
        } catch (Bounded.Exceeded e) {
            throw ProblemException.invalid(List.of(new FieldError(forwarded.isEmpty() ? "attachments" : "reference",
                    "the message would be larger than the limit of " + megabytes(max))));
        }
        return out.toByteArray();
    }

    /** Reply: the original's Reply-To or sender (its recipients when the original is our own mail); all: + to/cc. */
    private static void fillReplyRecipients(Sender sender, Original original, boolean all, List<InternetAddress> to,
            List<InternetAddress> cc) {
        Map<String, EmailAddress> toFill = new LinkedHashMap<>();
        Map<String, EmailAddress> ccFill = new LinkedHashMap<>();
        boolean ownMail = original.from().stream().anyMatch(a -> sender.address().equalsIgnoreCase(a.address()));
        List<EmailAddress> answerTo = ownMail ? original.to()
                : !original.replyTo().isEmpty() ? original.replyTo() : original.from();
        answerTo.forEach(a -> toFill.putIfAbsent(key(a), a));
        if (all) {
            original.to().forEach(a -> toFill.putIfAbsent(key(a), a));
            original.cc().forEach(a -> {
                if (!toFill.containsKey(key(a))) {
                    ccFill.putIfAbsent(key(a), a);
                }
            });
        }
        String self = sender.address().toLowerCase(Locale.ROOT);
        if (!ownMail || all) {
            toFill.remove(self);
        }
        ccFill.remove(self);
        toFill.values().forEach(a -> to.add(internet(a)));
        ccFill.values().forEach(a -> cc.add(internet(a)));
    }

    /** text/plain; text + HTML as multipart/alternative; with attachments, inside multipart/mixed. */
    private static void setBody(MimeMessage message, SendRequest request, List<Forwarded> forwarded,
            List<byte[]> contents) throws MessagingException {
        String plain = request.text() != null ? request.text()
                : request.html() != null ? Jsoup.parse(request.html()).wholeText() : "";
        MimeBodyPart text = new MimeBodyPart();
        text.setText(plain, "UTF-8", "plain");
        MimeMultipart alternative = null;
        if (request.html() != null) {
            MimeBodyPart html = new MimeBodyPart();
            html.setText(request.html(), "UTF-8", "html");
            alternative = new MimeMultipart("alternative", text, html);
        }
        if (contents.isEmpty() && forwarded.isEmpty()) {
            if (alternative == null) {
                message.setText(plain, "UTF-8", "plain");
            } else {
                message.setContent(alternative);
            }
            return;
        }
        MimeBodyPart content = text;
        if (alternative != null) {
            content = new MimeBodyPart();
            content.setContent(alternative);
        }
        MimeMultipart mixed = new MimeMultipart("mixed", content);
        for (int i = 0; i < contents.size(); i++) {
            SendRequest.NewAttachment a = request.attachments().get(i);
            String type = a.contentType() == null ? "application/octet-stream" : a.contentType();
            mixed.addBodyPart(attachment(new DataHandler(new ByteArrayDataSource(contents.get(i), type)),
                    a.filename()));
        }
        for (Forwarded f : forwarded) {
            mixed.addBodyPart(attachment(new DataHandler(new PartSource(f)), f.filename()));
        }
        message.setContent(mixed);
    }

    /** The composed message, refused as soon as it grows beyond the limit. */
    private static final class Bounded extends ByteArrayOutputStream {

        private final long limit;

        Bounded(int size, long limit) {
            super(size);
            this.limit = limit;
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            if (count + (long) len > limit) {
                throw new Exceeded();
            }
            super.write(b, off, len);
        }

        @Override
        public synchronized void write(int b) {
            if (count + 1L > limit) {
                throw new Exceeded();
            }
            super.write(b);
        }

        static final class Exceeded extends RuntimeException {
            Exceeded() {
                super(null, null, false, false);
            }
        }
    }

    /** A forwarded attachment's content, read from its part on the server each time it is written. */
    private record PartSource(Forwarded forwarded) implements DataSource {

        @Override
        public InputStream getInputStream() throws IOException {
            try {
                return forwarded.part().getInputStream();
            } catch (MessagingException e) {
                throw new IOException("the original's attachment could not be read: " + e.getMessage(), e);
            }
        }

        @Override
        public OutputStream getOutputStream() {
            throw new UnsupportedOperationException();
        }

        @Override
        public String getContentType() {
            return mediaType(forwarded.contentType());
        }

        @Override
        public String getName() {
            return headerSafe(forwarded.filename());
        }
    }

    private static MimeBodyPart attachment(DataHandler content, String filename) throws MessagingException {
        MimeBodyPart part = new MimeBodyPart();
        part.setDataHandler(content);
        part.setDisposition(Part.ATTACHMENT);
        part.setFileName(headerSafe(filename));
        part.setHeader("Content-Transfer-Encoding", "base64");
        return part;
    }

    private static List<byte[]> attachmentContents(SendRequest request, List<Forwarded> forwarded,
            OutboxConfig config, List<FieldError> errors) {
        List<SendRequest.NewAttachment> attachments = request.attachments();
        if (attachments.size() + forwarded.size() > config.maxAttachments()) {
            errors.add(new FieldError("attachments", "at most " + config.maxAttachments() + " attachments"));
            return List.of();
        }
        List<byte[]> contents = new ArrayList<>();
        long total = 0;
        for (SendRequest.NewAttachment attachment : attachments) {
            contents.add(attachment.content());
            total += attachment.content().length;
        }
        // base64 makes attachments a third larger on the wire: refuse early what cannot fit
        if (total * 4 / 3 > config.maxMessageSize().asLongValue()) {
            errors.add(new FieldError("attachments", "the attachments come to " + megabytes(total * 4 / 3)
                    + " encoded; the limit for the whole message is "
                    + megabytes(config.maxMessageSize().asLongValue())));
        }
        return contents;
    }

    private static List<InternetAddress> addresses(String field, List<Recipient> recipients, List<FieldError> errors) {
        List<InternetAddress> parsed = new ArrayList<>();
        for (int i = 0; i < recipients.size(); i++) {
            Recipient r = recipients.get(i);
            String path = field + "[" + i + "]";
            if (r.address() == null) {
                continue; // reported by bean validation
            }
            String address = r.address().strip();
            try {
                InternetAddress a = new InternetAddress(address, true);
                a.validate();
                if (a.isGroup() || a.getPersonal() != null || !address.equals(a.getAddress())
                        || address.indexOf('@') < 1) {
                    throw new AddressException("not a bare address");
                }
                if (r.name() != null && !r.name().isBlank()) {
                    a.setPersonal(r.name().strip(), "UTF-8");
                }
                parsed.add(a);
            } catch (AddressException | UnsupportedEncodingException e) {
                errors.add(new FieldError(path + ".address", "must be an email address such as name@example.com"));
            }
        }
        return parsed;
    }

    private static String subject(String given, Original original, ReferenceAction action) {
        if (given != null || original == null) {
            return given == null ? "" : given.strip();
        }
        String subject = original.subject() == null ? "" : headerText(original.subject());
        if (action == ReferenceAction.FORWARD) {
            return SubjectPrefixes.forward(subject);
        }
        return SubjectPrefixes.reply(subject);
    }

    /** The original's References plus its Message-ID: the first and the last ones when there are many. */
    private static List<String> references(Original original) {
        List<String> chain = new ArrayList<>(original.references());
        if (chain.isEmpty() && original.inReplyTo() != null) {
            chain.add(original.inReplyTo());
        }
        chain.add(original.messageId());
        if (chain.size() > MAX_REFERENCES) {
            List<String> kept = new ArrayList<>();
            kept.add(chain.get(0));
            kept.addAll(chain.subList(chain.size() - MAX_REFERENCES + 1, chain.size()));
            chain = kept;
        }
        return chain.stream().map(MailComposer::angled).toList();
    }

    /** The store keeps message ids without their angle brackets; headers need them. */
    private static String angled(String id) {
        return id.startsWith("<") ? id : "<" + id + ">";
    }

    private static InternetAddress internet(EmailAddress a) {
        try {
            return new InternetAddress(a.address(), blankToNull(a.name() == null ? null : headerText(a.name())),
                    "UTF-8");
        } catch (UnsupportedEncodingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<EmailAddress> views(List<InternetAddress> addresses) {
        return addresses.stream().map(a -> new EmailAddress(a.getPersonal(), a.getAddress())).toList();
    }

    private static String key(EmailAddress a) {
        return a.address().toLowerCase(Locale.ROOT);
    }

    private static String domain(String address) {
        return address.substring(address.indexOf('@') + 1);
    }

    private static String randomId() {
        byte[] bytes = new byte[18];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }

    /** A file name for a header ({@link #headerText}), at most 255 characters, never empty. */
    static String headerSafe(String filename) {
        if (filename == null) {
            return "attachment";
        }
        String clean = headerText(filename);
        if (clean.length() > 255) {
            clean = clean.substring(0, 255);
        }
        return clean.isEmpty() ? "attachment" : clean;
    }

    /**
     * Text from received mail (a subject, a display name, a file name) made fit for a header: line breaks become
     * spaces, other control characters (C0, DEL, C1, line and paragraph separators) are dropped, so that it cannot
     * add or break headers of the mail we send.
     */
    static String headerText(String text) {
        return text.replaceAll("[\\r\\n\\t]+", " ").replaceAll("[\\p{Cntrl}\\u0080-\\u009f\\u2028\\u2029]", "")
                .replaceAll(" {2,}", " ").strip();
    }

    /** A stored content type as a bare media type ({@code type/subtype}), else application/octet-stream. */
    static String mediaType(String contentType) {
        String base = contentType == null ? "" : contentType.strip().split("[;\\s]", 2)[0].toLowerCase(Locale.ROOT);
        return base.matches("[a-z0-9!#$&^_.+-]+/[a-z0-9!#$&^_.+-]+") ? base : "application/octet-stream";
    }

    /** In the limit's own unit: Quarkus reads {@code 25M} as 25 × 1,048,576 bytes. */
    private static String megabytes(long bytes) {
        return String.format(Locale.ROOT, "%.1f MB", bytes / 1_048_576.0);
    }
}
