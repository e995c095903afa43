package dev.mailsync.support;

import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A TCP relay on 127.0.0.1 that a test can make cut its connections after some bytes from the server, or slow the
 * server down.
 */
public class TcpProxy extends LoopbackServer {

    private static final int TRANSCRIPT_LIMIT = 4096;

    private final String targetHost;
    private final int targetPort;
    private final AtomicLong cutAfter = new AtomicLong(-1);
    private final AtomicLong bytesPerSecond = new AtomicLong();
    private final AtomicReference<String[]> rewrite = new AtomicReference<>();
    private final AtomicInteger cuts = new AtomicInteger();
    private final AtomicInteger connections = new AtomicInteger();
    private final StringBuffer clientTranscript = new StringBuffer();

    public TcpProxy(String targetHost, int targetPort) {
        this.targetHost = targetHost;
        this.targetPort = targetPort;
        startAccepting("tcp-proxy-accept");
    }

    /** The next connection is cut after the server sent this many bytes through it. */
    public void cutNextConnectionAfter(long bytes) {
        cutAfter.set(bytes);
    }

    /** From now on the server's bytes reach clients at this rate (0: as fast as they come), on every connection. */
    public void throttle(long rate) {
        bytesPerSecond.set(rate);
    }

    /**
     * From now on the server's bytes have {@code from} replaced by {@code to} (of the same length, so literals keep
     * their sizes; within a read of up to 8 KB: an occurrence split across two reads passes unchanged); null: off.
     */
    public void rewrite(String from, String to) {
        rewrite.set(from == null ? null : new String[] { from, to });
    }

    /** What clients sent so far (the first 4 KB of each connection), to check which commands were used. */
    public String clientTranscript() {
        return clientTranscript.toString();
    }

    /** Cuts every connection open now (a network drop); new ones are relayed as before. */
    public void cutOpenConnections() {
        cuts.incrementAndGet();
        closeConnections();
    }

    /** Connections accepted so far (an IMAP connection is one login). */
    public int connections() {
        return connections.get();
    }

    /** Connections cut so far. */
    public int cuts() {
        return cuts.get();
    }

    @Override
    void accepted(Socket client) {
        connections.incrementAndGet();
        Socket server = connectFor(client, targetHost, targetPort);
        if (server == null) {
            return;
        }
        long limit = cutAfter.getAndSet(-1);
        relay(client, server, "tcp-proxy-pump", (buffer, n, total) -> {
            if (total < TRANSCRIPT_LIMIT) {
                clientTranscript.append(new String(buffer, 0, n, StandardCharsets.ISO_8859_1));
            }
            return n;
        });
        relay(server, client, "tcp-proxy-pump", (buffer, n, total) -> {
            if (limit >= 0 && total + n > limit) {
                cuts.incrementAndGet();
                return (int) (limit - total);
            }
            long rate = bytesPerSecond.get();
            if (rate > 0) {
                Thread.sleep(n * 1000L / rate);
            }
            String[] replace = rewrite.get();
            if (replace != null) {
                byte[] changed = new String(buffer, 0, n, StandardCharsets.ISO_8859_1).replace(replace[0], replace[1])
                        .getBytes(StandardCharsets.ISO_8859_1);
                System.arraycopy(changed, 0, buffer, 0, n);
            }
            return n;
        });
    }
}
