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
    /**
     * What a message may hold besides its header and its parts' bodies: part headers and boundary lines (a few
     * hundred bytes a part, a long RFC 2231 file name a few KB), a short preamble.
     */
    private static final long FRAME_BYTES = 8 * 1024;
    private static final long FRAME_BYTES_PER_PART = 2 * 1024;

    private Outlines() {
    }

    /** The leaves of the tree (in reading order), whether they are all, and why the tree may mislead (or null). */
    record Flat(List<PartOutline> parts, boolean cut, String mismatch) {
    }

    /**
     * @param size the message's size (RFC822.SIZE)
     * @param headerBytes the size of its header
     */
    static Flat flatten(BODYSTRUCTURE root, long size, int headerBytes) {
        Flat flat = flatten(root);
        if (flat.cut() || flat.mismatch() != null) {
            return flat;
        }
        return new Flat(flat.parts(), false, unaccounted(root, flat.parts(), size, headerBytes));
    }

    /**
     * Why a tree the server describes well may still not read as the whole message does, or null: a single text
     * part (its body is the whole message's body: servers differ on its edges, a message without a header, the last
     * line end, and reading it on its own would fetch the same bytes), a part without a body (a part header that
     * runs into the next boundary, which the server ends at the boundary and Jakarta Mail does not), and bytes the
     * parts do not account for (a huge preamble or epilogue, part headers the server reads otherwise).
     */
    private static String unaccounted(BODYSTRUCTURE root, List<PartOutline> parts, long size, int headerBytes) {
        if (!root.isMulti() && lower(root.type).equals("text")) {
            return "a single text part";
        }
        long bodies = 0;
        for (PartOutline p : parts) {
            if (p.size() == 0) {
                return "a part without a body";
            }
            bodies += p.size();
        }
        long frame = size - headerBytes - bodies;
        if (frame > FRAME_BYTES + FRAME_BYTES_PER_PART * parts.size()) {
            return "the parts leave " + frame + " bytes of the message unaccounted for";
        }
        return null;
    }

    private static Flat flatten(BODYSTRUCTURE root) {
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
