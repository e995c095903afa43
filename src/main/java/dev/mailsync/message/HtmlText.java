package dev.mailsync.message;

import java.util.regex.Pattern;

/** Crude text of an HTML body, for snippets and search of HTML-only messages. */
final class HtmlText {

    private static final Pattern SCRIPT_STYLE = Pattern.compile("(?is)<(script|style|head)[^>]*>.*?</\\1\\s*>");
    private static final Pattern TAG = Pattern.compile("(?s)<[^>]*>");

    private HtmlText() {
    }

    static String toText(String html) {
        String text = TAG.matcher(SCRIPT_STYLE.matcher(html).replaceAll(" ")).replaceAll(" ");
        return text.replace("&nbsp;", " ").replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"")
                .replace("&#39;", "'").replace("&amp;", "&");
    }
}
