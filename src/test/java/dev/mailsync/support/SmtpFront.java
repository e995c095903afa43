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
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * An SMTP endpoint on 127.0.0.1 in front of a real SMTP server. Connections are relayed byte for byte to the
 * target unless a test scripted them: then the front answers the dialogue itself, imitating smtp.office365.com,
 * and never contacts the target. Scripts are used one per accepted connection, in the order they were given.
 */
public class SmtpFront extends LoopbackServer {

    /** The step of the SMTP dialogue that a scripted session fails. */
    public enum Stage { CONNECT, AUTH, MAIL, RCPT, DATA }

    /** A scripted session: fails {@code stage} with {@code reply}, or (when {@code accepted} is set) drops after DATA. */
    private record Script(Stage stage, String reply, Consumer<byte[]> accepted) {
    }

    private static final int TRANSCRIPT_LIMIT = 8192;
    private static final int READ_TIMEOUT_MILLIS = 30_000;
    private static final String HOST = "front.example";

    private final String targetHost;
    private final int targetPort;
    private final Queue<Script> scripts = new ConcurrentLinkedQueue<>();
    private final AtomicInteger scriptedSessions = new AtomicInteger();
    private final AtomicInteger scriptedMessages = new AtomicInteger();
    private final StringBuffer clientTranscript = new StringBuffer();

    /** Starts listening on an ephemeral port of 127.0.0.1, relaying to {@code targetHost:targetPort} by default. */
    public SmtpFront(String targetHost, int targetPort) {
        this.targetHost = targetHost;
        this.targetPort = targetPort;
        startAccepting("smtp-front-accept");
    }

    /**
     * The next {@code sessions} connections are answered by the front: every command succeeds until {@code stage},
     * which gets {@code reply} (a full SMTP reply line such as "451 4.7.500 Server busy. Please try again later").
     */
    public void failNext(Stage stage, String reply, int sessions) {
        for (int i = 0; i < sessions; i++) {
            scripts.add(new Script(stage, reply, null));
        }
    }

    /**
     * The next connection is answered by the front; it accepts the whole message, hands its bytes (the DATA
     * content, dot-unstuffed, without the terminating ".") to {@code accepted}, then closes the socket without
     * sending the final reply (an SMTP server that took the mail but whose 250 was lost).
     */
    public void acceptThenDrop(Consumer<byte[]> accepted) {
        scripts.add(new Script(null, null, accepted));
    }

    /** Drops all scripts not yet used. */
    public void clear() {
        scripts.clear();
    }

    /** Number of connections answered by the front so far (not relayed). */
    public int scriptedSessions() {
        return scriptedSessions.get();
    }

    /** Number of messages whose DATA the front read completely in scripted sessions. */
    public int scriptedMessages() {
        return scriptedMessages.get();
    }

    /**
     * What clients sent on relayed and scripted connections (first 8 KB of each), to check commands used. In
     * scripted sessions an AUTH command is recorded as its mechanism only, plus {@code user=U} for XOAUTH2.
     */
    public String clientTranscript() {
        return clientTranscript.toString();
    }

    @Override
    void accepted(Socket client) {
        Script script = scripts.poll();
        if (script != null) {
            scriptedSessions.incrementAndGet();
            daemon(() -> new Session(client, script).run(), "smtp-front-session");
        } else {
            relay(client);
        }
    }

    private void relay(Socket client) {
        Socket server = connectFor(client, targetHost, targetPort);
        if (server == null) {
            return;
        }
        relay(client, server, "smtp-front-relay", (buffer, n, total) -> {
            if (total < TRANSCRIPT_LIMIT) {
                int kept = (int) Math.min(n, TRANSCRIPT_LIMIT - total);
                clientTranscript.append(new String(buffer, 0, kept, StandardCharsets.ISO_8859_1));
            }
            return n;
        });
        relay(server, client, "smtp-front-relay", (buffer, n, total) -> n);
    }

    /** One scripted SMTP dialogue on an accepted connection. */
    private final class Session {

        private final Socket socket;
        private final Script script;
        private InputStream in;
        private OutputStream out;
        private int recorded;

        Session(Socket socket, Script script) {
            this.socket = socket;
            this.script = script;
        }

        void run() {
            try {
                socket.setSoTimeout(READ_TIMEOUT_MILLIS);
                in = new BufferedInputStream(socket.getInputStream());
                out = socket.getOutputStream();
                if (script.stage() == Stage.CONNECT) {
                    send(script.reply());
                    return;
                }
                send("220 " + HOST + " Microsoft ESMTP MAIL Service ready");
                String line;
                while ((line = readLine()) != null) {
                    if (!answer(line)) {
                        return;
                    }
                }
            } catch (IOException e) {
                // client went away or timed out
            } finally {
                closeQuietly(socket);
            }
        }

        /** Answers one command; false when the session is over. */
        private boolean answer(String line) throws IOException {
            String verb = line.split(" ", 2)[0].toUpperCase(Locale.ROOT);
            if (!verb.equals("AUTH")) {
                record(line);
            }
            switch (verb) {
                case "EHLO" -> send("250-" + HOST + " Hello", "250-SIZE 37748736", "250-8BITMIME",
                        "250-AUTH LOGIN XOAUTH2", "250 ENHANCEDSTATUSCODES");
                case "HELO" -> send("250 " + HOST);
                case "AUTH" -> {
                    return auth(line);
                }
                case "MAIL" -> send(replyAt(Stage.MAIL, "250 2.1.0 Sender OK"));
                case "RCPT" -> send(replyAt(Stage.RCPT, "250 2.1.5 Recipient OK"));
                case "DATA" -> {
                    return data();
                }
                case "RSET" -> send("250 2.0.0 Resetting");
                case "NOOP" -> send("250 2.0.0 OK");
                case "QUIT" -> {
                    send("221 2.0.0 Service closing transmission channel");
                    return false;
                }
                default -> send("500 5.3.3 Unrecognized command");
            }
            return true;
        }

        private boolean auth(String line) throws IOException {
            String[] parts = line.split(" ");
            String mechanism = parts.length > 1 ? parts[1].toUpperCase(Locale.ROOT) : "";
            if (!mechanism.equals("XOAUTH2")) {
                record("AUTH " + mechanism);
                send("504 5.7.4 Unrecognized authentication type");
                return true;
            }
            String response = parts.length > 2 ? parts[2] : null;
            if (response == null) {
                send("334 ");
                response = readLine();
                if (response == null) {
                    return false;
                }
            }
            record("AUTH XOAUTH2 user=" + saslUser(response));
            send(replyAt(Stage.AUTH, "235 2.7.0 Authentication successful"));
            return true;
        }

        private boolean data() throws IOException {
            send("354 Start mail input; end with <CRLF>.<CRLF>");
            ByteArrayOutputStream content = new ByteArrayOutputStream();
            String line;
            while (!".".equals(line = readLine())) {
                if (line == null) {
                    return false;
                }
                record(line);
                String unstuffed = line.startsWith("..") ? line.substring(1) : line;
                content.writeBytes((unstuffed + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
            }
            record(line);
            scriptedMessages.incrementAndGet();
            if (script.accepted() != null) {
                script.accepted().accept(content.toByteArray());
                return false;
            }
            send(replyAt(Stage.DATA, "250 2.0.0 OK <queued> [Hostname=" + HOST + "]"));
            return true;
        }

        private String replyAt(Stage stage, String success) {
            return script.stage() == stage ? script.reply() : success;
        }

        /** A line without its CRLF (or bare LF); null at end of stream. */
        private String readLine() throws IOException {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            int b;
            while ((b = in.read()) != '\n') {
                if (b < 0) {
                    return null;
                }
                line.write(b);
            }
            String text = line.toString(StandardCharsets.ISO_8859_1);
            return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
        }

        private void send(String... lines) throws IOException {
            for (String line : lines) {
                out.write((line + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
            }
            out.flush();
        }

        private void record(String line) {
            if (recorded < TRANSCRIPT_LIMIT) {
                String text = line + "\r\n";
                String kept = text.substring(0, Math.min(text.length(), TRANSCRIPT_LIMIT - recorded));
                clientTranscript.append(kept);
                recorded += kept.length();
            }
        }
    }

    /** The {@code user=} part of an XOAUTH2 initial response; nothing about the token. */
    private static String saslUser(String base64) {
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(base64.trim()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return "(not base64)";
        }
        if (!decoded.startsWith("user=")) {
            return "(none)";
        }
        int end = decoded.indexOf('\u0001');
        return decoded.substring(5, end < 0 ? decoded.length() : end);
    }
}
