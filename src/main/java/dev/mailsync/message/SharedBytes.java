package dev.mailsync.message;

import java.io.InputStream;
import java.util.Objects;

import jakarta.mail.internet.SharedInputStream;

/**
 * A message's bytes as Jakarta Mail parses them: what {@code SharedByteArrayInputStream} is (parts are views of the
 * same array, not copies), without its locks. Jakarta Mail reads headers and boundaries one byte at a time, and
 * {@code ByteArrayInputStream.read()} is {@code synchronized}: a lock taken per byte of every header made header
 * parsing a third of the sync's parsing time. A reader's stream is read by one thread only.
 */
final class SharedBytes extends InputStream implements SharedInputStream {

    private final byte[] bytes;
    private final int start;
    private final int end;
    private int position;
    private int mark;

    SharedBytes(byte[] bytes, int offset, int length) {
        this.bytes = bytes;
        this.start = offset;
        this.end = (int) Math.min((long) offset + length, bytes.length);
        this.position = offset;
        this.mark = offset;
    }

    SharedBytes(byte[] bytes) {
        this(bytes, 0, bytes.length);
    }

    @Override
    public int read() {
        return position < end ? bytes[position++] & 0xFF : -1;
    }

    @Override
    public int read(byte[] into, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, into.length);
        if (position >= end) {
            return -1;
        }
        int n = Math.min(length, end - position);
        if (n <= 0) {
            return 0;
        }
        System.arraycopy(bytes, position, into, offset, n);
        position += n;
        return n;
    }

    @Override
    public long skip(long n) {
        long k = Math.max(0, Math.min(n, end - position));
        position += (int) k;
        return k;
    }

    @Override
    public int available() {
        return end - position;
    }

    @Override
    public boolean markSupported() {
        return true;
    }

    @Override
    public void mark(int readLimit) {
        mark = position;
    }

    @Override
    public void reset() {
        position = mark;
    }

    @Override
    public long getPosition() {
        return position - start;
    }

    /** The bytes from {@code from} to {@code to} (-1: the end), relative to this stream's start, as a new stream. */
    @Override
    public InputStream newStream(long from, long to) {
        if (from < 0) {
            throw new IllegalArgumentException("start < 0");
        }
        long last = to == -1 ? end - start : to;
        return new SharedBytes(bytes, start + (int) from, (int) (last - from));
    }
}
