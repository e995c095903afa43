package dev.mailsync.message;

import java.io.UnsupportedEncodingException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeUtility;

import dev.mailsync.common.db.PgText;

/** A message's own headers, each cut to size (read in linear time, every value bounded). */
record MessageHeaders(String messageId, String inReplyTo, List<String> references, String subject,
        List<EmailAddress> from, List<EmailAddress> to, List<EmailAddress> cc, List<EmailAddress> bcc,
        List<EmailAddress> replyTo, String listUnsubscribe, Instant sentAt) {

    /** References kept: the thread's root and the 99 nearest ancestors. */
    static final int MAX_REFERENCES = 100;
    static final int MAX_SUBJECT = 2000;
    // no backtracking: a run of characters that are neither brackets nor space is matched once, then '>' or not
    private static final Pattern MSG_ID = Pattern.compile("<([^<>\\s]++)>");

    static final MessageHeaders NONE = new MessageHeaders(null, null, List.of(), null, List.of(), List.of(), List.of(),
            List.of(), List.of(), null, null);
    /** Dates outside these years are errors or attacks (PostgreSQL, browsers and clients disagree on them). */
    private static final Instant EARLIEST = Instant.parse("1900-01-01T00:00:00Z");
    private static final Instant LATEST = Instant.parse("9999-12-31T23:59:59Z");

    static MessageHeaders read(MimeMessage message, Problems problems) {
        String messageId = firstId(unfolded(message, "Message-ID", problems));
        if (messageId == null) {
            problems.add("no Message-ID");
        }
        return new MessageHeaders(messageId, firstId(unfolded(message, "In-Reply-To", problems)),
                ids(unfolded(message, "References", problems)), subject(message, problems),
                addresses(message, "From", problems), addresses(message, "To", problems),
                addresses(message, "Cc", problems), addresses(message, "Bcc", problems),
                addresses(message, "Reply-To", problems),
                PgText.truncate(unfolded(message, "List-Unsubscribe", problems), 2000), sentAt(message, problems));
    }

    private static String subject(MimeMessage message, Problems problems) {
        String raw = unfolded(message, "Subject", problems);
        if (raw == null) {
            return null;
        }
        String subject;
        try {
            subject = MimeUtility.decodeText(raw);
        } catch (UnsupportedEncodingException | RuntimeException e) {
            problems.add("bad Subject");
            subject = raw;
        }
        if (subject.length() > MAX_SUBJECT) {
            problems.add("Subject longer than " + MAX_SUBJECT + " characters: cut");
            subject = PgText.truncate(subject, MAX_SUBJECT);
        }
        return subject;
    }

    private static Instant sentAt(MimeMessage message, Problems problems) {
        String raw = unfolded(message, "Date", problems);
        if (raw == null) {
            return null;
        }
        try {
            java.util.Date date = raw.length() > 200 ? null : message.getSentDate();
            if (date == null) {
                problems.add("unparseable Date");
                return null;
            }
            Instant instant = date.toInstant();
            if (instant.isBefore(EARLIEST) || instant.isAfter(LATEST)) {
                problems.add("Date out of range");
                return null;
            }
            return instant;
        } catch (MessagingException | RuntimeException e) {
            problems.add("unparseable Date");
            return null;
        }
    }

    private static List<EmailAddress> addresses(MimeMessage message, String name, Problems problems) {
        String value = unfolded(message, name, problems);
        return value == null || value.isBlank() ? List.of() : AddressList.parse(value, name, problems);
    }

    /** The first value of a header, unfolded, at most 64 KiB of it (more is an attack, not a header). */
    private static String unfolded(MimeMessage message, String name, Problems problems) {
        try {
            String[] values = message.getHeader(name);
            if (values == null || values.length == 0) {
                return null;
            }
            if (values.length > 1 && !name.equals("References")) {
                problems.add("duplicate " + name);
            }
            String value = values[0];
            if (value.length() > MimeReader.MAX_RAW_HEADER) {
                problems.add(name + " longer than 64 KiB: cut");
                value = PgText.truncate(value, MimeReader.MAX_RAW_HEADER);
            }
            return unfold(value);
        } catch (MessagingException | RuntimeException e) {
            return null;
        }
    }

    /** Folding white space (CRLF followed by blanks) becomes one space: a single linear pass. */
    private static String unfold(String value) {
        if (value.indexOf('\r') < 0 && value.indexOf('\n') < 0) {
            return value;
        }
        StringBuilder unfolded = new StringBuilder(value.length());
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\r' || c == '\n') {
                while (i + 1 < value.length() && (value.charAt(i + 1) == '\r' || value.charAt(i + 1) == '\n')) {
                    i++;
                }
                if (i + 1 < value.length() && (value.charAt(i + 1) == ' ' || value.charAt(i + 1) == '\t')) {
                    unfolded.append(' ');
                    while (i + 1 < value.length() && (value.charAt(i + 1) == ' ' || value.charAt(i + 1) == '\t')) {
                        i++;
                    }
                }
            } else {
                unfolded.append(c);
            }
        }
        return unfolded.toString();
    }

    /** A Content-ID without its angle brackets and surrounding space. */
    static String bracketsOff(String value) {
        if (value == null) {
            return null;
        }
        String id = value.strip();
        if (id.startsWith("<")) {
            id = id.substring(1);
        }
        if (id.endsWith(">")) {
            id = id.substring(0, id.length() - 1);
        }
        return id;
    }

    static String firstId(String value) {
        if (value == null) {
            return null;
        }
        Matcher m = MSG_ID.matcher(value);
        if (m.find()) {
            return PgText.truncate(m.group(1), MimeReader.MAX_ID);
        }
        String bare = value.strip();
        return bare.isEmpty() || bare.contains(" ") ? null : PgText.truncate(bare, MimeReader.MAX_ID);
    }

    /** The Message-IDs of a References header: the first (the thread's root) and the last 99. */
    static List<String> ids(String value) {
        if (value == null) {
            return List.of();
        }
        List<String> ids = new ArrayList<>();
        Matcher m = MSG_ID.matcher(value);
        while (m.find()) {
            ids.add(PgText.truncate(m.group(1), MimeReader.MAX_ID));
        }
        if (ids.size() <= MAX_REFERENCES) {
            return ids;
        }
        List<String> kept = new ArrayList<>(MAX_REFERENCES);
        kept.add(ids.get(0));
        kept.addAll(ids.subList(ids.size() - (MAX_REFERENCES - 1), ids.size()));
        return kept;
    }
}
