package dev.mailsync.support;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An IMAP endpoint on 127.0.0.1 in front of a real IMAP server, answering like Exchange Online where a test asks
 * it to: it relays every connection to the target, reading the client's commands (literals passed through
 * untouched) to know who logged in (the XOAUTH2 {@code user=}), and it can answer a chosen command or login of a
 * user itself with Exchange's throttling reply ({@code <tag> BAD Request is throttled. Suggested Backoff Time: N
 * milliseconds}, or NO, optionally followed by {@code * BYE Connection closed. 14} and a closed connection), refuse
 * logins beyond a number of sessions per user ({@code NO AUTHENTICATE failed.}, as Exchange does), leave a user's
 * logins unanswered, and cut a user's connections. It counts logins and the sessions open at once, per user.
 */
public class ImapFront extends LoopbackServer {

    private static final Pattern LITERAL = Pattern.compile("\\{(\\d+)(\\+?)}\r?\n$");
    private static final String THROTTLED = "Request is throttled. Suggested Backoff Time: %d milliseconds";

    /** A scripted throttling reply: to {@code command} (e.g. "FETCH", also as UID FETCH; "LOGIN": the login). */
    private record Throttle(String user, String command, String status, long backoffMillis, boolean bye) {
    }

    private final String targetHost;
    private final int targetPort;
    private final Queue<Throttle> throttles = new ConcurrentLinkedQueue<>();
    private final Map<String, AtomicInteger> logins = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> open = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> peak = new ConcurrentHashMap<>();
    private final Set<Connection> connections = ConcurrentHashMap.newKeySet();
    private final AtomicInteger throttled = new AtomicInteger();
    private final AtomicInteger refused = new AtomicInteger();
    private volatile int maxSessionsPerUser;
    private final Set<String> silent = ConcurrentHashMap.newKeySet();

    public ImapFront(String targetHost, int targetPort) {
        this.targetHost = targetHost;
        this.targetPort = targetPort;
        startAccepting("imap-front-accept");
    }

    /**
     * The next {@code count} commands named {@code command} ("FETCH" matches UID FETCH too; "LOGIN" the logins;
     * null any command) of {@code user} get a throttling reply with status BAD or NO instead of reaching the server.
     */
    public void throttle(String user, String command, String status, long backoffMillis, boolean bye, int count) {
        for (int i = 0; i < count; i++) {
            throttles.add(new Throttle(user, command == null ? null : command.toUpperCase(Locale.ROOT), status,
                    backoffMillis, bye));
        }
    }

    /** From now on a user's login beyond this many open sessions is refused (0: no limit). */
    public void maxSessionsPerUser(int max) {
        maxSessionsPerUser = max;
    }

    /** From now on the user's logins get no answer at all (a server that hangs). */
    public void silence(String user) {
        silent.add(user.toLowerCase(Locale.ROOT));
    }

    /** Closes every connection of the user (as a server or a network dropping them would). */
    public void cut(String user) {
        connections.stream().filter(c -> user.equalsIgnoreCase(c.user)).forEach(Connection::close);
    }

    /** Scripts and limits off (counters stay). */
    public void clear() {
        throttles.clear();
        maxSessionsPerUser = 0;
        silent.clear();
    }

    /** Logins of the user that reached the server. */
    public int logins(String user) {
        return count(logins, user);
    }

    /** The user's logged-in sessions open now. */
    public int openSessions(String user) {
        return count(open, user);
    }

    /** The most logged-in sessions the user had open at once. */
    public int peakSessions(String user) {
        return count(peak, user);
    }

    /** Throttling replies sent so far. */
    public int throttled() {
        return throttled.get();
    }

    /** Logins refused for the session limit so far. */
    public int refused() {
        return refused.get();
    }

    private static int count(Map<String, AtomicInteger> counts, String user) {
        AtomicInteger n = counts.get(user.toLowerCase(Locale.ROOT));
        return n == null ? 0 : n.get();
    }

    @Override
    void accepted(Socket client) {
        Socket server = connectFor(client, targetHost, targetPort);
        if (server != null) {
            Connection connection = new Connection(client, server);
            connections.add(connection);
            daemon(connection::fromServer, "imap-front-down");
            daemon(connection::fromClient, "imap-front-up");
        }
    }

    private Throttle takeThrottle(String user, String command) {
        for (Throttle t : throttles) {
            if ((t.user() == null || t.user().equalsIgnoreCase(user))
                    && (t.command() == null ? !command.equals("LOGIN") : t.command().equals(command))
                    && throttles.remove(t)) {
                return t;
            }
        }
        return null;
    }

    /** One client connection and its connection to the server. */
    private final class Connection {

        private final Socket client;
        private final Socket server;
        private final Object clientLock = new Object();
        private final AtomicBoolean closed = new AtomicBoolean();
        private volatile String user;

        Connection(Socket client, Socket server) {
            this.client = client;
            this.server = server;
        }

        void fromServer() {
            byte[] buffer = new byte[8192];
            try (InputStream in = server.getInputStream()) {
                OutputStream out = client.getOutputStream();
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    synchronized (clientLock) {
                        out.write(buffer, 0, n);
                        out.flush();
                    }
                }
            } catch (IOException e) {
                // either side closed
            } finally {
                close();
            }
        }

        void fromClient() {
            try (InputStream in = new BufferedInputStream(client.getInputStream())) {
                OutputStream out = server.getOutputStream();
                byte[] line;
                boolean saslResponse = false;
                while ((line = readLine(in)) != null) {
                    String text = new String(line, StandardCharsets.ISO_8859_1);
                    if (saslResponse) { // the XOAUTH2 response after "+ " (a client not using SASL-IR)
                        saslResponse = false;
                        out.write(line);
                        passLiterals(in, out, text);
                        continue;
                    }
                    String[] words = text.trim().split(" ");
                    String command = words.length > 1 ? words[1].toUpperCase(Locale.ROOT) : "";
                    if (command.equals("UID") && words.length > 2) {
                        command = words[2].toUpperCase(Locale.ROOT);
                    }
                    boolean login = command.equals("AUTHENTICATE") || command.equals("LOGIN");
                    String who = login ? loginUser(words) : user;
                    Throttle throttle = who == null || command.isEmpty() ? null : takeThrottle(who, login ? "LOGIN" : command);
                    if (throttle != null) {
                        throttled.incrementAndGet();
                        swallowLiterals(in, text);
                        reply(words[0] + " " + throttle.status() + " "
                                + String.format(THROTTLED, throttle.backoffMillis()));
                        if (throttle.bye()) {
                            reply("* BYE Connection closed. 14");
                            return;
                        }
                        continue;
                    }
                    if (login && who != null && silent.contains(who.toLowerCase(Locale.ROOT))) {
                        swallowLiterals(in, text);
                        continue;
                    }
                    if (login && who != null) {
                        int max = maxSessionsPerUser;
                        if (max > 0 && count(open, who) >= max) {
                            refused.incrementAndGet();
                            reply(words[0] + " NO AUTHENTICATE failed.");
                            continue;
                        }
                        loggedIn(who);
                    }
                    saslResponse = command.equals("AUTHENTICATE") && words.length == 3;
                    out.write(line);
                    passLiterals(in, out, text);
                    out.flush();
                }
            } catch (IOException e) {
                // either side closed
            } finally {
                close();
            }
        }

        private void loggedIn(String who) {
            user = who;
            String key = who.toLowerCase(Locale.ROOT);
            logins.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
            int now = open.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
            peak.computeIfAbsent(key, k -> new AtomicInteger()).accumulateAndGet(now, Math::max);
        }

        /** The rest of a command after a line ending in a literal: the literal's bytes, then its next line. */
        private void passLiterals(InputStream in, OutputStream out, String text) throws IOException {
            for (Matcher m = LITERAL.matcher(text); m.find(); m = LITERAL.matcher(text)) {
                out.flush();
                copy(in, out, Long.parseLong(m.group(1)));
                byte[] next = readLine(in);
                if (next == null) {
                    return;
                }
                out.write(next);
                text = new String(next, StandardCharsets.ISO_8859_1);
            }
        }

        /** Drops a throttled command's non-synchronizing literals (a client waiting for "+" sends nothing more). */
        private void swallowLiterals(InputStream in, String text) throws IOException {
            for (Matcher m = LITERAL.matcher(text); m.find() && !m.group(2).isEmpty(); m = LITERAL.matcher(text)) {
                in.skipNBytes(Long.parseLong(m.group(1)));
                byte[] next = readLine(in);
                if (next == null) {
                    return;
                }
                text = new String(next, StandardCharsets.ISO_8859_1);
            }
        }

        private void reply(String line) throws IOException {
            synchronized (clientLock) {
                OutputStream out = client.getOutputStream();
                out.write((line + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
            }
        }

        void close() {
            if (closed.compareAndSet(false, true)) {
                connections.remove(this);
                if (user != null) {
                    open.get(user.toLowerCase(Locale.ROOT)).decrementAndGet();
                }
                closeQuietly(client);
                closeQuietly(server);
            }
        }
    }

    /** The user an AUTHENTICATE XOAUTH2 (with its initial response) or a LOGIN names; null when not on the line. */
    private static String loginUser(String[] words) {
        if (words[1].equalsIgnoreCase("LOGIN") && words.length > 2) {
            return words[2].replace("\"", "");
        }
        if (words.length < 4 || !words[2].equalsIgnoreCase("XOAUTH2")) {
            return null;
        }
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(words[3]), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return null;
        }
        int end = decoded.indexOf('\u0001');
        return decoded.startsWith("user=") && end > 5 ? decoded.substring(5, end) : null;
    }

    /** A line with its CRLF; null at the end of the stream. */
    private static byte[] readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0) {
            line.write(b);
            if (b == '\n') {
                return line.toByteArray();
            }
        }
        return line.size() == 0 ? null : line.toByteArray();
    }

    /** Copies exactly {@code n} bytes (a literal). */
    private static void copy(InputStream in, OutputStream out, long n) throws IOException {
        byte[] buffer = new byte[8192];
        while (n > 0) {
            int read = in.read(buffer, 0, (int) Math.min(buffer.length, n));
            if (read < 0) {
                throw new IOException("end of stream in a literal");
            }
            out.write(buffer, 0, read);
            n -= read;
        }
    }
}
