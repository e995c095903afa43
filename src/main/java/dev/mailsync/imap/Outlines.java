package dev.mailsync.imap;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;

import jakarta.mail.internet.MimeUtility;

import org.eclipse.angus.mail.imap.protocol.BODYSTRUCTURE;

/**
 * A BODYSTRUCTURE's leaves, with IMAP section numbers, walked with a stack of its own (no recursion), and whether
 * the server's tree can be trusted to be the one the whole-message parser ({@code MimeReader}) finds.
 */
final class Outlines {

    private static final int MAX_PARTS = 1000;
    private static final int MAX_DEPTH = 50;
    /** Below the parser's limits (which count parts as Jakarta Mail creates them) with room to spare. */
    private static final int TRUSTED_PARTS = 500;
    private static final int TRUSTED_DEPTH = 40;
    /** {@code MimeReader} keeps a multipart whose boundary is longer than this as one part. */
    private static final int MAX_BOUNDARY = 256;

    private Outlines() {
    }

    /** The leaves of the tree (in reading order), whether they are all, and why the tree may mislead (or null). */
    record Flat(List<PartOutline> parts, boolean cut, String mismatch) {
    }

    static Flat flatten(BODYSTRUCTURE root) {
        List<PartOutline> parts = new ArrayList<>();
        if (root == null) {
            return new Flat(parts, true, "no BODYSTRUCTURE");
        }
        record Node(BODYSTRUCTURE body, String path, int depth, boolean inRelated) {
        }
        Deque<Node> stack = new ArrayDeque<>();
        stack.push(new Node(root, "", 0, false));
        int seen = 0;
        String mismatch = null;
        while (!stack.isEmpty()) {
            Node node = stack.pop();
            if (++seen > MAX_PARTS) {
                return new Flat(parts, true, "more than " + MAX_PARTS + " MIME parts");
            }
            BODYSTRUCTURE b = node.body();
            if (b.isMulti()) {
                String subtype = lower(b.subtype);
                String boundary = b.cParams == null ? null : b.cParams.get("boundary");
                if (node.depth() >= MAX_DEPTH || b.bodies == null) {
                    return new Flat(parts, true, "MIME tree deeper than " + MAX_DEPTH + " levels");
                }
                if (b.bodies.length == 0) {
                    mismatch = first(mismatch, "a multipart without parts");
                } else if (boundary == null || boundary.isEmpty() || boundary.length() > MAX_BOUNDARY) {
                    mismatch = first(mismatch, "a multipart without a usable boundary");
                } else if (subtype.equals("digest")) {
                    mismatch = first(mismatch, "multipart/digest (parts default to message/rfc822)");
                } else if (node.depth() >= TRUSTED_DEPTH) {
                    mismatch = first(mismatch, "MIME tree near the parser's depth limit");
                }
                for (int i = b.bodies.length - 1; i >= 0; i--) {
                    stack.push(new Node(b.bodies[i], node.path().isEmpty() ? String.valueOf(i + 1)
                            : node.path() + "." + (i + 1), node.depth() + 1, subtype.equals("related")));
                }
            } else {
                PartOutline leaf = leaf(b, node.path().isEmpty() ? "1" : node.path(), node.inRelated());
                if (leaf.type().startsWith("multipart/")) {
                    mismatch = first(mismatch, "a multipart the server could not split");
                }
                parts.add(leaf);
            }
        }
        if (seen > TRUSTED_PARTS) {
            mismatch = first(mismatch, "MIME tree near the parser's part limit");
        }
        return new Flat(parts, false, mismatch);
    }

    private static String first(String earlier, String reason) {
        return earlier != null ? earlier : reason;
    }

    private static String lower(String value) {
        return String.valueOf(value).toLowerCase(Locale.ROOT);
    }

    private static PartOutline leaf(BODYSTRUCTURE b, String section, boolean inRelated) {
        String type = lower(b.type) + "/" + lower(b.subtype);
        String filename = b.dParams == null ? null : b.dParams.get("filename");
        if (filename == null && b.cParams != null) {
            filename = b.cParams.get("name");
        }
        if (filename != null && filename.contains("=?")) {
            try {
                filename = MimeUtility.decodeText(filename);
            } catch (java.io.UnsupportedEncodingException | RuntimeException e) {
                // keep it as it came
            }
        }
        return new PartOutline(section, type, b.cParams == null ? null : b.cParams.get("charset"), b.encoding,
                b.disposition == null ? null : b.disposition.toLowerCase(Locale.ROOT), filename, b.id,
                Math.max(b.size, 0), inRelated);
    }
}
