package dev.mailsync.message;

import java.util.regex.Pattern;

/**
 * The one rule for the prefixes mail programs put before a subject when replying ({@code Re:}, {@code AW:},
 * {@code SV:}, ...) or forwarding ({@code Fwd:}, {@code WG:}, {@code TR:}, ...), in the languages Outlook and others
 * write them, with an optional counter ({@code Re[2]:}). Threading strips them all; composing a reply or forward
 * adds one unless the subject already starts with one of its kind.
 */
public final class SubjectPrefixes {

    /** Reply prefixes: English, German, Dutch, Scandinavian, Italian ({@code R:}, {@code RIF:}). */
    private static final String REPLY = "re|r|aw|antw|sv|vs|rif";
    /** Forward prefixes: English, German, French, Spanish, Norwegian ({@code VS:} is a reply in Finnish). */
    private static final String FORWARD = "fwd|fw|wg|tr|rv|vs";
    // possessive quantifiers: a subject of "re" and a million blanks cannot make the match backtrack
    private static final String ONE = "\\s*+(?:\\[\\d++\\])?+\\s*+:";
    private static final Pattern REPLY_PREFIX = Pattern.compile("^\\s*+(?:" + REPLY + ")" + ONE,
            Pattern.CASE_INSENSITIVE);
    private static final Pattern FORWARD_PREFIX = Pattern.compile("^\\s*+(?:" + FORWARD + ")" + ONE,
            Pattern.CASE_INSENSITIVE);
    private static final Pattern ALL_PREFIXES = Pattern.compile("^\\s*+(?:(?:" + REPLY + "|" + FORWARD + ")" + ONE
            + "\\s*+)++", Pattern.CASE_INSENSITIVE);

    private SubjectPrefixes() {
    }

    /** Whether the subject starts with a reply prefix. */
    public static boolean isReply(String subject) {
        return REPLY_PREFIX.matcher(subject).lookingAt();
    }

    /** Whether the subject starts with a forward prefix. */
    public static boolean isForward(String subject) {
        return FORWARD_PREFIX.matcher(subject).lookingAt();
    }

    /** The subject without any of its leading reply and forward prefixes ({@code "Re: Fwd: AW: x"} gives "x"). */
    public static String strip(String subject) {
        return ALL_PREFIXES.matcher(subject).replaceFirst("");
    }

    /** The subject of a reply: "Re: " before the original's unless it already starts with a reply prefix. */
    public static String reply(String original) {
        return isReply(original) ? original : "Re: " + original;
    }

    /** The subject of a forward: "Fwd: " before the original's unless it already starts with a forward prefix. */
    public static String forward(String original) {
        return isForward(original) ? original : "Fwd: " + original;
    }
}
