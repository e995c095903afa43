package dev.mailsync.push;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Cuts the bytes an IMAP server sends into whole responses: a line ending in CRLF, unless it ends in a literal
 * announcement ({@code {n}} or {@code {n+}}), whose {@code n} bytes and the rest of the line belong to the same
 * response. Bytes arrive in chunks of any size. A response longer than {@code maxResponse} is refused (a watch needs
 * only short ones; the connection is then closed).
 */
final class ResponseFramer {

    /** A response longer than the limit (the server is not speaking IMAP, or is hostile). */
    static final class TooLong extends RuntimeException {
        TooLong(int limit) {
            super("an IMAP response longer than " + limit + " bytes", null, false, false);
        }
    }

    private final int maxResponse;
    private byte[] buffer = new byte[256];
    private int length;
    /** Where the search for the next line end resumes (past literals already counted). */
    private int scan;

    ResponseFramer(int maxResponse) {
        this.maxResponse = maxResponse;
    }

    /** Adds a chunk and answers the responses it completed (ISO-8859-1 text, without the final CRLF). */
    List<String> feed(byte[] chunk) {
        append(chunk);
        List<String> responses = new ArrayList<>(1);
        while (true) {
            int lf = indexOf((byte) '\n', scan);
            if (lf < 0) {
                if (length > maxResponse) {
                    throw new TooLong(maxResponse);
                }
                scan = Math.max(scan, length); // a literal still arriving keeps its end
                return responses;
            }
            int end = lf > 0 && buffer[lf - 1] == '\r' ? lf - 1 : lf;
            long literal = literalAt(end);
            if (literal >= 0) {
                if (lf + 1 + literal > maxResponse) {
                    throw new TooLong(maxResponse);
                }
                scan = (int) (lf + 1 + literal); // line ends inside the literal are data
                continue;
            }
            responses.add(new String(buffer, 0, end, StandardCharsets.ISO_8859_1));
            int rest = length - (lf + 1);
            System.arraycopy(buffer, lf + 1, buffer, 0, rest);
            length = rest;
            scan = 0;
        }
    }

    private int indexOf(byte b, int from) {
        for (int i = from; i < length; i++) {
            if (buffer[i] == b) {
                return i;
            }
        }
        return -1;
    }

    /** The size of the literal announced just before {@code end} ({@code {n}} or {@code {n+}}), or -1. */
    private long literalAt(int end) {
        int i = end - 1;
        if (i < 0 || buffer[i] != '}') {
            return -1;
        }
        i--;
        if (i >= 0 && buffer[i] == '+') {
            i--;
        }
        long n = 0;
        long scale = 1;
        int digits = 0;
        while (i >= 0 && buffer[i] >= '0' && buffer[i] <= '9' && digits < 10) {
            n += (buffer[i] - '0') * scale;
            scale *= 10;
            digits++;
            i--;
        }
        return digits > 0 && i >= 0 && buffer[i] == '{' ? n : -1;
    }

    private void append(byte[] chunk) {
        if (length + chunk.length > buffer.length) {
            buffer = Arrays.copyOf(buffer, Math.max(buffer.length * 2, length + chunk.length));
        }
        System.arraycopy(chunk, 0, buffer, length, chunk.length);
        length += chunk.length;
    }
}
