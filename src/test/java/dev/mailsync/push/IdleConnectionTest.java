package dev.mailsync.push;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.mailsync.common.MailSockets;
import dev.mailsync.imap.ImapLogin;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;

/** The IDLE client against a scripted IMAP server on 127.0.0.1: the protocol's edges GreenMail does not show. */
class IdleConnectionTest {

    private final Vertx vertx = Vertx.vertx();
    private final NetClient client = vertx.createNetClient();
    private final List<String> heard = new CopyOnWriteArrayList<>();
    private Script server;

    @AfterEach
    void close() throws IOException {
        if (server != null) {
            server.close();
        }
        vertx.close();
    }

    @Test
    void shouldLogInWithoutSaslIrIdleAndReportChangesThenTheServersBye() throws Exception {
        server = new Script("* OK ready", line -> {
            String tag = line.split(" ")[0];
            if (line.endsWith("CAPABILITY")) {
                return List.of("* CAPABILITY IMAP4rev1 IDLE AUTH=XOAUTH2", tag + " OK done");
            }
            if (line.endsWith("AUTHENTICATE XOAUTH2")) {
                return List.of("+ ");
            }
            if (decoded(line).contains("user=u@example.com\u0001auth=Bearer secret-token\u0001\u0001")) {
                return List.of("w2 OK logged in");
            }
            if (line.endsWith("EXAMINE \"INBOX\"")) {
                return List.of("* 2 EXISTS", tag + " OK [READ-ONLY] examined");
            }
            if (line.endsWith("IDLE")) {
                return List.of("+ idling");
            }
            return List.of(tag + " BAD unexpected");
        });
        start(Duration.ofSeconds(5));
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> heard.contains("idling"));

        server.send("* 3 EXISTS", "* 1 FETCH (FLAGS (\\Seen) X {5}\r\na\r\nbc)", "* 2 EXPUNGE", "* 4 RECENT",
                "* OK Still here");
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> heard.size() >= 4);
        server.send("* BYE shutting down");
        server.hangUp();

        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> heard.size() >= 5);
        assertThat(heard).containsExactly("idling", "changed EXISTS", "changed FETCH", "changed EXPUNGE",
                "ended DROPPED the server said BYE: shutting down"); // EXISTS of the EXAMINE itself is no news
    }

    @Test
    void shouldAnswerTheErrorChallengeAndReportARefusedToken() throws Exception {
        server = new Script("* OK [CAPABILITY IMAP4rev1 IDLE SASL-IR AUTH=XOAUTH2] ready", line -> {
            if (line.contains("AUTHENTICATE XOAUTH2 ")) {
                return List.of("+ eyJzdGF0dXMiOiI0MDAifQ==");
            }
            if (line.isEmpty()) {
                return List.of("w1 NO AUTHENTICATE failed.");
            }
            return List.of("* BAD unexpected " + line);
        });
        start(Duration.ofSeconds(5));

        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> !heard.isEmpty());
        assertThat(heard).containsExactly("ended AUTH_FAILED the server refused the access token: NO AUTHENTICATE failed.");
        assertThat(server.received()).hasSize(2).last().isEqualTo(""); // the initial response, then the empty answer
    }

    @Test
    void shouldGiveUpOnAServerWithoutIdleBeforeExaminingAnything() throws Exception {
        server = new Script("* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=XOAUTH2] ready",
                line -> List.of("w1 OK [CAPABILITY IMAP4rev1 UIDPLUS] logged in"));
        start(Duration.ofSeconds(5));

        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> !heard.isEmpty());
        assertThat(heard).containsExactly("ended NOT_SUPPORTED the server does not offer IDLE");
        assertThat(server.received()).noneMatch(l -> l.contains("EXAMINE"));
    }

    @Test
    void shouldDropAConnectionWhoseServerDoesNotAnswer() throws Exception {
        server = new Script(null, line -> List.of());
        start(Duration.ofMillis(300));

        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> !heard.isEmpty());
        assertThat(heard).containsExactly("ended DROPPED no answer from the server within 300 ms");
    }

    private void start(Duration timeout) {
        ImapLogin login = new ImapLogin("127.0.0.1", server.port(), MailSockets.Tls.NONE, "u@example.com",
                "secret-token");
        new IdleConnection(vertx, client, login, "INBOX", timeout, Duration.ofMinutes(25), new IdleConnection.Events() {
            @Override
            public void idling() {
                heard.add("idling");
            }

            @Override
            public void changed(String kind) {
                heard.add("changed " + kind);
            }

            @Override
            public void ended(IdleConnection.End end, String detail) {
                heard.add("ended " + end + " " + detail);
            }
        }).start();
    }

    private static String decoded(String line) {
        try {
            return new String(Base64.getDecoder().decode(line.strip()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return "";
        }
    }

    /** One connection's server: a greeting (none: silence), then the lines {@code reply} gives for each line read. */
    private static final class Script implements AutoCloseable {
        private final ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        private final List<String> received = new CopyOnWriteArrayList<>();
        private volatile Socket socket;

        Script(String greeting, Function<String, List<String>> reply) throws IOException {
            Thread t = new Thread(() -> {
                try (Socket s = listener.accept()) {
                    socket = s;
                    if (greeting != null) {
                        send(greeting);
                    }
                    BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(),
                            StandardCharsets.ISO_8859_1));
                    for (String line = in.readLine(); line != null; line = in.readLine()) {
                        received.add(line);
                        send(reply.apply(line).toArray(String[]::new));
                    }
                } catch (IOException e) {
                    // closed
                }
            }, "scripted-imap");
            t.setDaemon(true);
            t.start();
        }

        int port() {
            return listener.getLocalPort();
        }

        List<String> received() {
            return received;
        }

        synchronized void send(String... lines) throws IOException {
            OutputStream out = socket.getOutputStream();
            for (String line : lines) {
                out.write((line + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
            }
            out.flush();
        }

        void hangUp() throws IOException {
            socket.close();
        }

        @Override
        public void close() throws IOException {
            listener.close();
            if (socket != null) {
                socket.close();
            }
        }
    }
}
