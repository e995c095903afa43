package dev.mailsync.message;

import java.util.ArrayList;
import java.util.List;

import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeUtility;

/**
 * An address header (From, To, ...) read in linear time: one pass cuts it into single addresses at the commas
 * (and group markers) outside quotes, comments and angle brackets; each piece, short by then, goes to Jakarta
 * Mail's parser. (Jakarta Mail's parser on a whole header of thousands of addresses, or of an unclosed comment,
 * takes seconds to minutes.) At most {@value #MAX_ADDRESSES} addresses are kept.
 */
final class AddressList {

    static final int MAX_ADDRESSES = 1000;
    /** An address longer than this (RFC 5321 allows 254) is not a real one. */
    static final int MAX_ADDRESS = 320;
    static final int MAX_NAME = 500;
    /** Pieces longer than this are not given to Jakarta Mail's parser. */
    private static final int MAX_PIECE = 1000;

    private AddressList() {
    }

    static List<EmailAddress> parse(String header, String name, Problems problems) {
        List<EmailAddress> list = new ArrayList<>();
        List<String> pieces = split(header);
        if (pieces.size() > MAX_ADDRESSES) {
            problems.add(name + ": more than " + MAX_ADDRESSES + " addresses, the rest is not kept");
            pieces = pieces.subList(0, MAX_ADDRESSES);
        }
        boolean bad = false;
        for (String piece : pieces) {
            EmailAddress address = piece.length() <= MAX_PIECE ? parsed(piece) : null;
            if (address == null) {
                bad = true;
                address = guessed(piece);
            }
            if (address != null) {
                list.add(address);
            }
        }
        if (bad) {
            problems.add("bad " + name + " address");
        }
        return list;
    }

    /** The single addresses of a header: cut at ',' and ';' and after a group's "name:", outside quotes etc. */
    static List<String> split(String header) {
        List<String> pieces = new ArrayList<>();
        int start = 0;
        int comment = 0;
        boolean quoted = false;
        boolean angle = false;
        for (int i = 0; i < header.length() && pieces.size() <= MAX_ADDRESSES; i++) {
            char c = header.charAt(i);
            if (quoted) {
                if (c == '\\') {
                    i++;
                } else if (c == '"') {
                    quoted = false;
                }
            } else if (comment > 0) {
                if (c == '\\') {
                    i++;
                } else if (c == '(') {
                    comment++;
                } else if (c == ')') {
                    comment--;
                }
            } else if (angle) {
                angle = c != '>';
            } else if (c == '"') {
                quoted = true;
            } else if (c == '(') {
                comment = 1;
            } else if (c == '<') {
                angle = true;
            } else if (c == ',' || c == ';') {
                add(pieces, header, start, i);
                start = i + 1;
            } else if (c == ':') {
                start = i + 1; // "group name:" before the group's members
            }
        }
        if (pieces.size() <= MAX_ADDRESSES) {
            add(pieces, header, start, header.length());
        }
        return pieces;
    }

    private static void add(List<String> pieces, String header, int start, int end) {
        if (start < end && !header.substring(start, end).isBlank()) {
            pieces.add(header.substring(start, end).strip());
        }
    }

    private static EmailAddress parsed(String piece) {
        try {
            InternetAddress[] addresses = InternetAddress.parseHeader(piece, false);
            if (addresses.length != 1 || addresses[0].isGroup() || addresses[0].getAddress() == null
                    || addresses[0].getAddress().isBlank()) {
                return null;
            }
            InternetAddress a = addresses[0];
            return new EmailAddress(capped(a.getPersonal(), MAX_NAME), capped(a.getAddress(), MAX_ADDRESS));
        } catch (AddressException | RuntimeException e) {
            return null;
        }
    }

    /** What an unparseable piece probably means: the part in angle brackets, the text before it as the name. */
    private static EmailAddress guessed(String piece) {
        int open = piece.lastIndexOf('<');
        int close = open < 0 ? -1 : piece.indexOf('>', open);
        String address = (close > open ? piece.substring(open + 1, close) : piece).strip();
        String name = open > 0 ? piece.substring(0, open).strip().replace("\"", "") : null;
        if (name != null && name.contains("=?")) {
            try {
                name = MimeUtility.decodeText(capped(name, 4 * MAX_NAME));
            } catch (java.io.UnsupportedEncodingException | RuntimeException e) {
                // keep it encoded
            }
        }
        if (address.isEmpty()) {
            return null;
        }
        return new EmailAddress(name == null || name.isBlank() ? null : capped(name, MAX_NAME),
                capped(address, MAX_ADDRESS));
    }

    private static String capped(String value, int max) {
        return dev.mailsync.common.db.PgText.truncate(value, max);
    }
}
