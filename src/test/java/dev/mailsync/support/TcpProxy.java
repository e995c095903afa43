package dev.mailsync.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP relay on 127.0.0.1 that a test can make cut its connections after some bytes from the server, or slow the
 * server down.
 */
public class TcpProxy implements AutoCloseable {

    private final ServerSocket listener;
    private final String targetHost;
    private final int targetPort;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private final AtomicLong cutAfter = new AtomicLong(-1);

    private final AtomicLong bytesPerSecond = new AtomicLong();
    private final java.util.concurrent.atomic.AtomicReference<String[]> rewrite = new java.util.concurrent.atomic.AtomicReference<>();
    private final AtomicInteger cuts = new AtomicInteger();
    private final AtomicInteger connections = new AtomicInteger();
    private final StringBuffer clientTranscript = new StringBuffer();

    public TcpProxy(String targetHost, int targetPort) {
        this.targetHost = targetHost;
        this.targetPort = targetPort;
        try {
            listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        Thread accept = new Thread(this::accept, "tcp-proxy-accept");
        accept.setDaemon(true);
        accept.start();
    }

    public int port() {
        return listener.getLocalPort();
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

    /** Connections accepted so far (an IMAP connection is one login). */
    public int connections() {
        return connections.get();
    }

    /** Connections cut so far. */
    public int cuts() {
        return cuts.get();
    }

    private void accept() {
        while (!listener.isClosed()) {
            try {
                Socket client = listener.accept();
                connections.incrementAndGet();
                Socket server = new Socket(targetHost, targetPort);
                sockets.add(client);
                sockets.add(server);
                long limit = cutAfter.getAndSet(-1);
                pump(client, server, -1, true);
                pump(server, client, limit, false);
            } catch (IOException e) {
                // listener closed
            }
        }
    }

    private void pump(Socket from, Socket to, long limit, boolean record) {
        Thread t = new Thread(() -> {
            byte[] buffer = new byte[8192];
            long total = 0;
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    if (limit >= 0 && total + n > limit) {
                        out.write(buffer, 0, (int) (limit - total));
                        out.flush();
                        cuts.incrementAndGet();
                        break;
                    }
                    if (record && total < 4096) {
                        clientTranscript.append(new String(buffer, 0, n, java.nio.charset.StandardCharsets.ISO_8859_1));
                    }
                    long rate = record ? 0 : bytesPerSecond.get();
                    if (rate > 0) {
                        Thread.sleep(n * 1000L / rate);
                    }
                    String[] replace = record ? null : rewrite.get();
                    if (replace != null) {
                        byte[] changed = new String(buffer, 0, n, java.nio.charset.StandardCharsets.ISO_8859_1)
                                .replace(replace[0], replace[1]).getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
                        System.arraycopy(changed, 0, buffer, 0, n);
                    }
                    out.write(buffer, 0, n);
                    out.flush();
                    total += n;
                }
            } catch (IOException e) {
                // the other side closed
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                closeQuietly(from);
                closeQuietly(to);
            }
        }, "tcp-proxy-pump");
        t.setDaemon(true);
        t.start();
    }

    private void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // already closed
        }
        sockets.remove(socket);
    }

    @Override
    public void close() {
        try {
            listener.close();
        } catch (IOException e) {
            // closing
        }
        sockets.forEach(this::closeQuietly);
    }
}
