package dev.mailsync.push;

import java.util.Arrays;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One server response, as far as a watch needs to understand it: a continuation ({@code + ...}), an untagged
 * response ({@code * 12 EXISTS}, {@code * OK [CAPABILITY ...] ...}, {@code * BYE ...}) or a tagged completion
 * ({@code a3 OK ...}). Parsed once, at the edge; the rest of the text is kept for capabilities and error messages.
 */
sealed interface ImapResponse {

    /** {@code + text}: the server waits for the client (IDLE started, or a SASL challenge). */
    record Continuation(String text) implements ImapResponse {
    }

    /** {@code * [number] KEYWORD text}; {@code number} is -1 when there is none. */
    record Untagged(long number, String keyword, String text) implements ImapResponse {
        /** A change in the selected folder that a watch reports: a new message, an expunge or a flag change. */
        boolean isChange() {
            return number >= 0 && (keyword.equals("EXISTS") || keyword.equals("EXPUNGE") || keyword.equals("FETCH"));
        }
    }

    /** {@code tag OK|NO|BAD text}. */
    record Tagged(String tag, String status, String text) implements ImapResponse {
        boolean ok() {
            return status.equals("OK");
        }
    }

    /** A line the watch does not understand (kept to be reported). */
    record Unknown(String line) implements ImapResponse {
    }

    Pattern CAPABILITY_CODE = Pattern.compile("\\[CAPABILITY ([^\\]]*)\\]", Pattern.CASE_INSENSITIVE);

    static ImapResponse parse(String line) {
        if (line.startsWith("+")) {
            return new Continuation(line.length() > 1 ? line.substring(1).strip() : "");
        }
        String[] words = line.split(" ", 4);
        if (words[0].equals("*") && words.length >= 2) {
            if (isNumber(words[1]) && words.length >= 3) {
                return new Untagged(Long.parseLong(words[1]), words[2].toUpperCase(Locale.ROOT),
                        words.length > 3 ? words[3] : "");
            }
            String rest = line.substring(2 + words[1].length()).strip();
            return new Untagged(-1, words[1].toUpperCase(Locale.ROOT), rest);
        }
        if (words.length >= 2 && !words[0].isEmpty()) {
            String status = words[1].toUpperCase(Locale.ROOT);
            if (status.equals("OK") || status.equals("NO") || status.equals("BAD")) {
                String text = line.substring(words[0].length() + 1 + words[1].length()).strip();
                return new Tagged(words[0], status, text);
            }
        }
        return new Unknown(line);
    }

    /**
     * The capabilities a response announces, upper-case: an untagged {@code CAPABILITY} response, or a
     * {@code [CAPABILITY ...]} response code in a greeting or a completion; null when it announces none.
     */
    static Set<String> capabilities(ImapResponse response) {
        String text = null;
        if (response instanceof Untagged u) {
            text = u.keyword().equals("CAPABILITY") ? u.text() : code(u.text());
        } else if (response instanceof Tagged t) {
            text = code(t.text());
        }
        return text == null ? null : Set.copyOf(Arrays.asList(text.strip().toUpperCase(Locale.ROOT).split("\\s+")));
    }

    private static String code(String text) {
        Matcher m = CAPABILITY_CODE.matcher(text);
        return m.find() ? m.group(1) : null;
    }

    private static boolean isNumber(String s) {
        if (s.isEmpty() || s.length() > 10) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }
}
