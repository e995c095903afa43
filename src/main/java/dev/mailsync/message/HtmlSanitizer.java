package dev.mailsync.message;

import java.util.Locale;
import java.util.Map;

import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.jsoup.safety.Cleaner;
import org.jsoup.safety.Safelist;

/**
 * Makes an HTML body safe for a browser (jsoup): no scripts, event handlers, {@code javascript:} URLs, forms,
 * frames or styles; {@code cid:} images point at the (signed) attachment URLs; links open in a new tab without
 * referrer. Remote images (tracking pixels tell the sender that and when the mail was read, and from where) are not
 * loaded unless asked for: their {@code src}, {@code srcset} and {@code background} move to {@code data-mailsync-*}
 * attributes, so a frontend can offer "show images".
 */
public final class HtmlSanitizer {

    static final String BLOCKED_PREFIX = "data-mailsync-";

    private static final String[] BACKGROUND_TAGS = { "table", "td", "th", "tr", "tbody", "thead", "tfoot" };

    private static final Safelist SAFE = safelist();

    private HtmlSanitizer() {
    }

    private static Safelist safelist() {
        Safelist safe = Safelist.relaxed()
                .addTags("center", "font", "hr", "span", "div")
                .addAttributes(":all", "align", "dir", "title")
                .addAttributes("font", "color", "face", "size")
                .addAttributes("table", "border", "cellpadding", "cellspacing", "bgcolor", "width")
                .addAttributes("td", "bgcolor", "valign", "width", "height")
                .addAttributes("a", "target", "rel")
                .addAttributes("img", "srcset")
                .addProtocols("img", "src", "cid", "data")
                .addProtocols("a", "href", "http", "https", "mailto", "tel")
                .preserveRelativeLinks(false);
        for (String tag : BACKGROUND_TAGS) {
            safe.addAttributes(tag, "background").addProtocols(tag, "background", "http", "https");
        }
        return safe;
    }

    /**
     * @param cidUrls content-id (without angle brackets) → URL of that attachment
     * @param remoteImages whether remote images keep their URLs (else they move to {@code data-mailsync-*})
     */
    public static String sanitize(String html, Map<String, String> cidUrls, boolean remoteImages) {
        if (html == null) {
            return null;
        }
        // one parse and one clean copy (the dirty DOM is garbage once cleaned): a DOM costs about six bytes of heap
        // per character of HTML, so no step keeps more than the two
        Document doc = new Cleaner(SAFE).clean(Jsoup.parseBodyFragment(html, "https://mailsync.invalid/"));
        for (Element img : doc.select("img[src]")) {
            String src = img.attr("src");
            if (src.regionMatches(true, 0, "cid:", 0, 4)) {
                String url = cidUrls.get(stripAngles(src.substring(4)));
                if (url != null) {
                    img.attr("src", url);
                } else {
                    img.removeAttr("src");
                }
            } else if (src.regionMatches(true, 0, "data:", 0, 5)) {
                if (!src.regionMatches(true, 0, "data:image/", 0, 11)) {
                    img.removeAttr("src");
                }
            } else if (!remoteImages) {
                block(img, "src");
            }
        }
        for (Element img : doc.select("img[srcset]")) {
            if (!remoteOnly(img.attr("srcset"))) {
                img.removeAttr("srcset");
            } else if (!remoteImages) {
                block(img, "srcset");
            }
        }
        for (Element element : doc.select("[background]")) {
            if (!remoteImages) {
                block(element, "background");
            }
        }
        for (Element a : doc.select("a[href]")) {
            a.attr("target", "_blank").attr("rel", "noopener noreferrer nofollow");
        }
        doc.outputSettings().prettyPrint(false);
        return doc.body().html();
    }

    /** Moves a URL attribute out of the browser's reach, where a frontend can still find it. */
    private static void block(Element element, String attribute) {
        element.attr(BLOCKED_PREFIX + attribute, element.attr(attribute)).removeAttr(attribute);
    }

    /** Whether every candidate of a {@code srcset} is an absolute http(s) URL (jsoup does not check srcset). */
    private static boolean remoteOnly(String srcset) {
        for (String candidate : srcset.split(",")) {
            String url = candidate.strip().split("\\s+")[0].toLowerCase(Locale.ROOT);
            if (!url.isEmpty() && !url.startsWith("https://") && !url.startsWith("http://")) {
                return false;
            }
        }
        return true;
    }

    private static String stripAngles(String contentId) {
        String id = contentId.strip();
        if (id.startsWith("<")) {
            id = id.substring(1);
        }
        return id.endsWith(">") ? id.substring(0, id.length() - 1) : id;
    }
}
