package dev.mailsync.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the test's TCP servers on 127.0.0.1 share ({@link TcpProxy}, {@link SmtpFront}): a listener on an
 * ephemeral port with an accept thread, the connections to close with it, and a byte relay between two sockets.
 */
abstract class LoopbackServer implements AutoCloseable {

    /** Sees each chunk a relay read (after {@code total} bytes) and answers how many of its bytes to pass on. */
    interface Chunk {
        /** {@code n} to pass the whole chunk (possibly changed in place); fewer to pass those and cut the connection. */
        int pass(byte[] buffer, int n, long total) throws InterruptedException;
    }

    private final ServerSocket listener;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();

    LoopbackServer() {
        try {
            listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Starts accepting; subclasses call it at the end of their constructor. */
    final void startAccepting(String threadName) {
        daemon(this::accept, threadName);
    }

    /** A connection was accepted; it is closed with the server. */
    abstract void accepted(Socket client);

    /** The port the server listens on. */
    public int port() {
        return listener.getLocalPort();
    }

    /**
     * Opens a connection to the real server behind this one for {@code client} (both are closed with this server);
     * null when it cannot be reached, and then the client's connection is closed.
     */
    final Socket connectFor(Socket client, String host, int port) {
        try {
            Socket socket = new Socket(host, port);
            sockets.add(socket);
            return socket;
        } catch (IOException e) {
            closeQuietly(client);
            return null;
        }
    }

    /** Copies bytes from one socket to the other on a daemon thread until either side closes or {@code chunk} cuts. */
    final void relay(Socket from, Socket to, String threadName, Chunk chunk) {
        daemon(() -> {
            byte[] buffer = new byte[8192];
            long total = 0;
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    int passed = chunk.pass(buffer, n, total);
                    out.write(buffer, 0, passed);
                    out.flush();
                    total += passed;
                    if (passed < n) {
                        break;
                    }
                }
            } catch (IOException e) {
                // the other side closed
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                closeQuietly(from);
                closeQuietly(to);
            }
        }, threadName);
    }

    static void daemon(Runnable task, String name) {
        Thread thread = new Thread(task, name);
        thread.setDaemon(true);
        thread.start();
    }

    final void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // already closed
        }
        sockets.remove(socket);
    }

    private void accept() {
        while (!listener.isClosed()) {
            Socket client;
            try {
                client = listener.accept();
            } catch (IOException e) {
                continue; // listener closed
            }
            sockets.add(client);
            accepted(client);
        }
    }

    /** Closes every open connection; the listener goes on accepting. */
    final void closeConnections() {
        sockets.forEach(this::closeQuietly);
    }

    /** Closes the listener and every open connection. */
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
