package dev.mailsync.message;

import java.util.Map;

import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.jsoup.safety.Safelist;

/**
 * Makes an HTML body safe for a browser (jsoup): no scripts, event handlers, {@code javascript:} URLs, forms,
 * frames or styles that can load content; {@code cid:} images point at the attachment URLs; links open in a new
 * tab without referrer.
 */
public final class HtmlSanitizer {

    private static final Safelist SAFE = Safelist.relaxed()
            .addTags("center", "font", "hr", "span", "div")
            .addAttributes(":all", "align", "dir", "title")
            .addAttributes("font", "color", "face", "size")
            .addAttributes("table", "border", "cellpadding", "cellspacing", "bgcolor", "width")
            .addAttributes("td", "bgcolor", "valign", "width", "height")
            .addAttributes("a", "target", "rel")
            .addProtocols("img", "src", "cid", "data")
            .addProtocols("a", "href", "http", "https", "mailto", "tel")
            .preserveRelativeLinks(false);

    private HtmlSanitizer() {
    }

    /**
     * @param cidUrls content-id (without angle brackets) → URL of that attachment
     */
    public static String sanitize(String html, Map<String, String> cidUrls) {
        if (html == null) {
            return null;
        }
        String clean = Jsoup.clean(html, "https://mailsync.invalid/", SAFE,
                new Document.OutputSettings().prettyPrint(false));
        Document doc = Jsoup.parseBodyFragment(clean);
        for (Element img : doc.select("img[src]")) {
            String src = img.attr("src");
            if (src.regionMatches(true, 0, "cid:", 0, 4)) {
                String url = cidUrls.get(src.substring(4).replaceAll("^<|>$", ""));
                if (url != null) {
                    img.attr("src", url);
                } else {
                    img.removeAttr("src");
                }
            } else if (src.regionMatches(true, 0, "data:", 0, 5) && !src.regionMatches(true, 0, "data:image/", 0, 11)) {
                img.removeAttr("src");
            }
        }
        for (Element a : doc.select("a[href]")) {
            a.attr("target", "_blank").attr("rel", "noopener noreferrer nofollow");
        }
        doc.outputSettings().prettyPrint(false);
        return doc.body().html();
    }
}
