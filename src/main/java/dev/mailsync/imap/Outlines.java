package dev.mailsync.imap;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Locale;

import jakarta.mail.internet.MimeUtility;

import org.eclipse.angus.mail.imap.protocol.BODYSTRUCTURE;

/** A BODYSTRUCTURE's leaves, with IMAP section numbers, walked with a stack of its own (no recursion). */
final class Outlines {

    private static final int MAX_PARTS = 1000;
    private static final int MAX_DEPTH = 50;

    private Outlines() {
    }

    /** Adds the leaves to {@code parts}; {@code false} when the tree had more than the limits allow. */
    static boolean flatten(BODYSTRUCTURE root, List<PartOutline> parts) {
        record Node(BODYSTRUCTURE body, String path, int depth) {
        }
        Deque<Node> stack = new ArrayDeque<>();
        stack.push(new Node(root, "", 0));
        int seen = 0;
        boolean complete = true;
        while (!stack.isEmpty()) {
            Node node = stack.pop();
            if (++seen > MAX_PARTS) {
                return false;
            }
            BODYSTRUCTURE b = node.body();
            if (b.isMulti()) {
                if (node.depth() >= MAX_DEPTH || b.bodies == null) {
                    complete = false;
                    continue;
                }
                for (int i = b.bodies.length - 1; i >= 0; i--) {
                    stack.push(new Node(b.bodies[i], node.path().isEmpty() ? String.valueOf(i + 1)
                            : node.path() + "." + (i + 1), node.depth() + 1));
                }
            } else {
                parts.add(leaf(b, node.path().isEmpty() ? "1" : node.path()));
            }
        }
        return complete;
    }

    private static PartOutline leaf(BODYSTRUCTURE b, String section) {
        String type = (String.valueOf(b.type) + "/" + String.valueOf(b.subtype)).toLowerCase(Locale.ROOT);
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
        String id = b.id == null ? null : b.id.strip().replace("<", "").replace(">", "");
        return new PartOutline(section, type, b.cParams == null ? null : b.cParams.get("charset"), b.encoding,
                b.disposition == null ? null : b.disposition.toLowerCase(Locale.ROOT), filename, id,
                Math.max(b.size, 0));
    }
}
