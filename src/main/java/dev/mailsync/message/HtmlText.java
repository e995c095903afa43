package dev.mailsync.message;

import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Crude text of an HTML body, for snippets and search of HTML-only messages: one forward pass over the HTML, so
 * the time is linear in its length whatever it holds (no regular expressions, no tree; a tag or comment that is
 * never closed ends the text, as in a browser). Script, style, head and title content is skipped; block elements
 * become line breaks; a few entities are decoded.
 */
final class HtmlText {

    private static final Set<String> SKIPPED = Set.of("script", "style", "head", "title");
    private static final Set<String> BLOCKS = Set.of("br", "p", "div", "tr", "td", "th", "li", "ul", "ol", "table",
            "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "hr", "section", "article", "header", "footer");
    private static final Map<String, String> ENTITIES = Map.of("nbsp", " ", "lt", "<", "gt", ">", "quot", "\"",
            "apos", "'", "amp", "&");

    private HtmlText() {
    }

    /** The text, at most {@code max} characters of it. */
    static String toText(String html, int max) {
        StringBuilder text = new StringBuilder(Math.min(html.length(), max));
        int i = 0;
        int n = html.length();
        while (i < n && text.length() < max) {
            char c = html.charAt(i);
            if (c == '<' && i + 1 < n && startsMarkup(html.charAt(i + 1))) {
                if (html.startsWith("<!--", i)) {
                    int end = html.indexOf("-->", i + 4);
                    i = end < 0 ? n : end + 3;
                    continue;
                }
                int end = html.indexOf('>', i + 1);
                if (end < 0) {
                    break; // a tag that never closes swallows the rest
                }
                String name = tagName(html, i + 1, end);
                i = end + 1;
                if (BLOCKS.contains(name) || BLOCKS.contains(name.substring(name.startsWith("/") ? 1 : 0))) {
                    text.append('\n');
                } else if (SKIPPED.contains(name)) {
                    i = skipTo(html, i, "</" + name);
                }
            } else if (c == '&') {
                i = entity(html, i, text);
            } else {
                text.append(c);
                i++;
            }
        }
        return text.length() > max ? text.substring(0, max) : text.toString();
    }

    private static boolean startsMarkup(char c) {
        return Character.isLetter(c) || c == '/' || c == '!' || c == '?';
    }

    /** Lower-case name of the tag between {@code from} (after '<') and {@code end} ('>'), "/p" for end tags. */
    private static String tagName(String html, int from, int end) {
        int i = from;
        if (i < end && html.charAt(i) == '/') {
            i++;
        }
        int start = i;
        while (i < end && i - start < 16 && Character.isLetterOrDigit(html.charAt(i))) {
            i++;
        }
        String name = html.substring(start, i).toLowerCase(Locale.ROOT);
        return start > from ? "/" + name : name;
    }

    /** Past the end tag {@code close} (case-insensitive) after {@code from}, or the end of the HTML. */
    private static int skipTo(String html, int from, String close) {
        for (int i = html.indexOf('<', from); i >= 0; i = html.indexOf('<', i + 1)) {
            if (html.regionMatches(true, i, close, 0, close.length())) {
                int end = html.indexOf('>', i);
                return end < 0 ? html.length() : end + 1;
            }
        }
        return html.length();
    }

    /** Decodes the entity at {@code i} ('&') into {@code text}; answers where the text goes on. */
    private static int entity(String html, int i, StringBuilder text) {
        int end = i + 1;
        while (end < html.length() && end - i <= 10 && html.charAt(end) != ';' && html.charAt(end) != '&') {
            end++;
        }
        if (end >= html.length() || html.charAt(end) != ';') {
            text.append('&');
            return i + 1;
        }
        String name = html.substring(i + 1, end);
        String decoded = name.startsWith("#") ? codePoint(name.substring(1)) : ENTITIES.get(name.toLowerCase(Locale.ROOT));
        if (decoded == null) {
            text.append('&');
            return i + 1;
        }
        text.append(decoded);
        return end + 1;
    }

    private static String codePoint(String number) {
        try {
            int cp = number.startsWith("x") || number.startsWith("X") ? Integer.parseInt(number.substring(1), 16)
                    : Integer.parseInt(number);
            // NUL, surrogates and what lies beyond Unicode are not characters
            return cp <= 0 || cp > Character.MAX_CODE_POINT || (cp >= 0xD800 && cp <= 0xDFFF) ? "\uFFFD"
                    : Character.toString(cp);
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
