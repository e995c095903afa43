package dev.mailsync.message;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

/**
 * The thread a message belongs to: the root of its References chain (else In-Reply-To, else its own
 * Message-ID). Only a message that carries none of them falls back to its normalised subject.
 */
public final class Threads {

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
        return SubjectPrefixes.strip(subject).strip().replaceAll("\\s+", " ").toLowerCase(Locale.ROOT);
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
