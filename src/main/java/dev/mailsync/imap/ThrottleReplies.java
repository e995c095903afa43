package dev.mailsync.imap;

import java.time.Duration;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Recognises Exchange Online's throttling replies, e.g. {@code A7 BAD Request is throttled. Suggested Backoff Time:
 * 299961 milliseconds} (also as {@code NO}, to a login too, possibly followed by {@code * BYE}). Angus Mail carries
 * the server's text in the exceptions it throws: a tagged BAD becomes a {@code BadCommandException} and a NO a
 * {@code CommandFailedException} (both {@code ProtocolException}s whose message is the whole response line), which
 * {@code IMAPFolder} and {@code IMAPStore} wrap in a {@code MessagingException} (a NO to the login becomes an
 * {@code AuthenticationFailedException} with the text after the status). So the text is looked for in the messages
 * of the whole cause chain.
 */
public final class ThrottleReplies {

    /** The longest backoff taken from a reply: a server asking for more is still retried after a day. */
    static final Duration LONGEST = Duration.ofDays(1);
    /** A throttled reply without a readable time still backs off this long. */
    static final Duration WITHOUT_TIME = Duration.ofMinutes(1);

    private static final Pattern THROTTLED = Pattern.compile(
            "Request is throttled\\.?(?:\\s*Suggested Backoff Time:\\s*(\\d{1,12})\\s*milli ?seconds)?",
            Pattern.CASE_INSENSITIVE);

    private ThrottleReplies() {
    }

    /** The backoff a server's reply line (or a part of it) asks for; empty when it is not a throttling reply. */
    public static Optional<Duration> backoff(String reply) {
        if (reply == null) {
            return Optional.empty();
        }
        Matcher m = THROTTLED.matcher(reply);
        if (!m.find()) {
            return Optional.empty();
        }
        if (m.group(1) == null) {
            return Optional.of(WITHOUT_TIME);
        }
        Duration asked = Duration.ofMillis(Long.parseLong(m.group(1)));
        return Optional.of(asked.compareTo(LONGEST) > 0 ? LONGEST : asked);
    }

    /** The backoff a failure asks for: a throttling reply anywhere in its cause chain; empty otherwise. */
    public static Optional<Duration> backoff(Throwable failure) {
        Set<Throwable> seen = new HashSet<>();
        for (Throwable t = failure; t != null && seen.add(t); t = next(t)) {
            Optional<Duration> found = backoff(t.getMessage());
            if (found.isPresent()) {
                return found;
            }
        }
        return Optional.empty();
    }

    /** The cause, or for Jakarta Mail's chained exceptions the next one (older code sets only that). */
    private static Throwable next(Throwable t) {
        if (t.getCause() != null) {
            return t.getCause();
        }
        return t instanceof jakarta.mail.MessagingException m ? m.getNextException() : null;
    }
}
