package dev.mailsync.common.db;

/**
 * What PostgreSQL refuses in text, removed: NUL characters (text, arrays, and jsonb's {@code \u0000}) and invalid
 * UTF-16 (a lone surrogate cannot be encoded as UTF-8; it becomes U+FFFD). Mail-derived strings pass through here on
 * their way into the database.
 */
public final class PgText {

    private PgText() {
    }

    public static String clean(String value) {
        if (value == null || isClean(value)) {
            return value;
        }
        StringBuilder clean = new StringBuilder(value.length());
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\0') {
                continue;
            }
            if (Character.isHighSurrogate(c) && i + 1 < value.length() && Character.isLowSurrogate(value.charAt(i + 1))) {
                clean.append(c).append(value.charAt(++i));
            } else if (Character.isSurrogate(c)) {
                clean.append('\uFFFD');
            } else {
                clean.append(c);
            }
        }
        return clean.toString();
    }

    /** At most {@code max} characters, never ending inside a surrogate pair. */
    public static String truncate(String value, int max) {
        if (value == null || value.length() <= max) {
            return value;
        }
        int end = Character.isHighSurrogate(value.charAt(max - 1)) ? max - 1 : max;
        return value.substring(0, end);
    }

    private static boolean isClean(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\0') {
                return false;
            }
            if (Character.isSurrogate(c)) {
                if (!Character.isHighSurrogate(c) || i + 1 >= value.length()
                        || !Character.isLowSurrogate(value.charAt(i + 1))) {
                    return false;
                }
                i++;
            }
        }
        return true;
    }
}
