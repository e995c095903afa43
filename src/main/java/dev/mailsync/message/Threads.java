package dev.mailsync.message;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The thread a message belongs to: the root of its References chain (else In-Reply-To, else its own
 * Message-ID). Only a message that carries none of them falls back to its normalised subject.
 */
public final class Threads {

    // possessive quantifiers: a subject of "re" and a million blanks cannot make the match backtrack
    private static final Pattern REPLY_PREFIX = Pattern.compile(
            "^\\s*+((?:re|fw|fwd|aw|wg|sv|vs|antw|rif|tr|r)\\s*+(?:\\[\\d++\\])?+\\s*+:\\s*+)++",
            Pattern.CASE_INSENSITIVE);

    private Threads() {
    }

    public static String threadId(String messageId, String inReplyTo, List<String> references, String subject) {
        String root = !references.isEmpty() ? references.get(0) : inReplyTo != null ? inReplyTo : messageId;
        if (root != null) {
            return hash("id:" + root);
        }
        return hash("subject:" + normalizeSubject(subject));
    }

    /** A thread of its own, for a message stored without its headers (known only by where it is). */
    public static String single(String place) {
        return hash("single:" + place);
    }

    static String normalizeSubject(String subject) {
        if (subject == null) {
            return "";
        }
        return REPLY_PREFIX.matcher(subject).replaceFirst("").strip().replaceAll("\\s+", " ").toLowerCase(Locale.ROOT);
    }

    private static String hash(String value) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
