package dev.mailsync.push;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Set;
import java.util.function.Consumer;

import org.eclipse.angus.mail.imap.protocol.BASE64MailboxEncoder;

import dev.mailsync.common.MailSockets;
import dev.mailsync.imap.ImapLogin;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetSocket;

/**
 * One connection in IMAP IDLE (RFC 2177) on one folder, driven by a Vert.x event loop: it holds no thread while it
 * waits, which is what lets a replica keep thousands of them. It speaks only what IDLE needs: the greeting,
 * STARTTLS, CAPABILITY, AUTHENTICATE XOAUTH2 (with SASL-IR when offered), EXAMINE, IDLE and DONE, and it reads
 * untagged EXISTS, EXPUNGE, FETCH and BYE. IDLE is ended and issued again every {@code renew}. Every method runs
 * on the connection's event loop; {@link #stop} may be called from any thread.
 */
final class IdleConnection {

    /** How a connection ended. */
    enum End {
        /** {@link #stop} was called. */
        STOPPED,
        /** The server offers no IDLE or no XOAUTH2: this mailbox keeps the periodic pass. */
        NOT_SUPPORTED,
        /** The server refused the access token. */
        AUTH_FAILED,
        /** The connection dropped, timed out, was refused, or the server said BYE or answered an error. */
        DROPPED
    }

    /** What the watch hears from its connection, on the event loop (implementations must not block). */
    interface Events {
        /** IDLE has started, the first time on this connection. */
        void idling();

        /** The folder changed: {@code EXISTS}, {@code EXPUNGE} or {@code FETCH}. */
        void changed(String kind);

        /** The connection ended (exactly once). {@code detail} may quote the server. */
        void ended(End end, String detail);
    }

    /** The end of a connection as a failed step, carried through the futures. */
    static final class Ended extends RuntimeException {
        final End end;

        Ended(End end, String detail) {
            super(detail, null, false, false);
            this.end = end;
        }
    }

    private static final int MAX_RESPONSE = 64 * 1024;

    private final Vertx vertx;
    private final NetClient client;
    private final ImapLogin login;
    private final String folder;
    private final Duration timeout;
    private final Duration renew;
    private final Events events;
    private final ResponseFramer framer = new ResponseFramer(MAX_RESPONSE);
    private volatile Context context;
    private NetSocket socket;
    private Set<String> capabilities;
    private int tags;
    private Promise<Void> greeting = Promise.promise();
    private String pendingTag;
    private Promise<ImapResponse.Tagged> pending;
    private Consumer<ImapResponse.Continuation> onContinuation;
    private long timer = -1;
    private boolean selected;
    private boolean idling;
    private boolean idleAnnounced;
    private volatile boolean stopping;
    private boolean ended;
    private String bye;

    IdleConnection(Vertx vertx, NetClient client, ImapLogin login, String folder, Duration timeout, Duration renew,
            Events events) {
        this.vertx = vertx;
        this.client = client;
        this.login = login;
        this.folder = folder;
        this.timeout = timeout;
        this.renew = renew;
        this.events = events;
    }

    /** Connects, logs in, examines the folder and starts IDLE; the outcome arrives through {@link Events}. */
    void start() {
        // Connect from an event loop: the socket then lives on that loop, whose next task (the server's greeting)
        // cannot run before the handler below is set. Called from another thread, the connection could complete
        // and the greeting be read (and dropped, no handler yet) before compose() ran.
        vertx.getOrCreateContext().runOnContext(v -> connect());
    }

    private void connect() {
        client.connect(login.port(), login.host()).compose(s -> {
            context = vertx.getOrCreateContext();
            socket = s;
            s.handler(this::received);
            s.closeHandler(v -> end(End.DROPPED, bye != null ? "the server said BYE: " + bye : "connection closed"));
            s.exceptionHandler(e -> end(End.DROPPED, e.getMessage()));
            if (stopping) {
                throw new Ended(End.STOPPED, null);
            }
            arm();
            return greeting.future();
        }).compose(v -> login.tls() == MailSockets.Tls.STARTTLS ? startTls() : Future.<Void>succeededFuture())
                .compose(v -> capabilities != null ? Future.succeededFuture() : capability())
                .compose(v -> authenticate())
                .compose(done -> {
                    Set<String> announced = ImapResponse.capabilities(done);
                    if (announced != null) {
                        capabilities = announced;
                        return Future.succeededFuture();
                    }
                    return capability();
                }).compose(v -> {
                    if (!capabilities.contains("IDLE")) {
                        throw new Ended(End.NOT_SUPPORTED, "the server does not offer IDLE");
                    }
                    return command("EXAMINE " + quoted(folder));
                }).onSuccess(v -> {
                    selected = true;
                    idle();
                }).onFailure(this::failed);
    }

    /** Ends IDLE and logs out (from any thread); {@link Events#ended} follows with {@link End#STOPPED}. */
    void stop() {
        stopping = true; // before reading the context: start() reads them the other way round
        Context c = context;
        if (c != null) {
            c.runOnContext(v -> logOut());
        }
    }

    private void logOut() {
        if (ended) {
            return;
        }
        if (idling) {
            socket.write("DONE\r\n");
        }
        if (selected) {
            socket.write(nextTag() + " LOGOUT\r\n");
        }
        end(End.STOPPED, null);
    }

    private Future<Void> startTls() {
        return command("STARTTLS").compose(ok -> socket.upgradeToSsl(login.host())).map(v -> {
            capabilities = null; // what was said before TLS does not count
            return null;
        });
    }

    private Future<Void> capability() {
        return command("CAPABILITY").map(ok -> {
            if (capabilities == null) {
                throw new Ended(End.DROPPED, "the server announced no capabilities");
            }
            return null;
        });
    }

    /** AUTHENTICATE XOAUTH2; the token is never logged (commands are not logged at all). */
    private Future<ImapResponse.Tagged> authenticate() {
        if (!capabilities.contains("AUTH=XOAUTH2")) {
            return Future.failedFuture(new Ended(End.NOT_SUPPORTED, "the server does not offer XOAUTH2"));
        }
        String response = Base64.getEncoder().encodeToString(("user=" + login.user() + "\u0001auth=Bearer "
                + login.token() + "\u0001\u0001").getBytes(StandardCharsets.UTF_8));
        boolean[] sent = { capabilities.contains("SASL-IR") };
        onContinuation = c -> {
            // the first challenge asks for the response; a second one is the error report, answered empty
            socket.write(sent[0] ? "\r\n" : response + "\r\n");
            sent[0] = true;
        };
        String command = sent[0] ? "AUTHENTICATE XOAUTH2 " + response : "AUTHENTICATE XOAUTH2";
        return command(command).recover(e -> Future.failedFuture(e instanceof Refused r
                ? new Ended(End.AUTH_FAILED, "the server refused the access token: " + r.getMessage()) : e));
    }

    /** Starts IDLE (again); its completion comes after DONE, when it is time to renew or stop. */
    private void idle() {
        String tag = nextTag();
        onContinuation = c -> {
            disarm();
            idling = true;
            timer = vertx.setTimer(renew.toMillis(), t -> {
                timer = -1;
                done();
            });
            if (!idleAnnounced) {
                idleAnnounced = true;
                events.idling();
            }
        };
        expect(tag).onSuccess(v -> idle()).onFailure(this::failed);
        socket.write(tag + " IDLE\r\n");
        arm();
    }

    /** Ends the current IDLE (renewal); the server's completion starts the next one. */
    private void done() {
        idling = false;
        onContinuation = null;
        socket.write("DONE\r\n");
        arm();
    }

    private Future<ImapResponse.Tagged> command(String text) {
        String tag = nextTag();
        Future<ImapResponse.Tagged> answer = expect(tag);
        socket.write(tag + " " + text + "\r\n");
        arm();
        return answer;
    }

    private Future<ImapResponse.Tagged> expect(String tag) {
        pendingTag = tag;
        pending = Promise.promise();
        return pending.future();
    }

    private void received(Buffer chunk) {
        if (ended) {
            return;
        }
        try {
            for (String line : framer.feed(chunk.getBytes())) {
                handle(ImapResponse.parse(line));
                if (ended) {
                    return;
                }
            }
        } catch (ResponseFramer.TooLong e) {
            end(End.DROPPED, e.getMessage());
        }
    }

    private void handle(ImapResponse response) {
        Set<String> announced = ImapResponse.capabilities(response);
        if (announced != null && !(response instanceof ImapResponse.Tagged)) {
            capabilities = announced;
        }
        if (response instanceof ImapResponse.Untagged u) {
            if (!greeting.future().isComplete()) {
                if (u.keyword().equals("OK") || u.keyword().equals("PREAUTH")) {
                    greeting.complete();
                } else {
                    greeting.fail(new Ended(End.DROPPED, "greeting: " + u.keyword() + " " + u.text()));
                }
            } else if (u.keyword().equals("BYE")) {
                bye = u.text();
            } else if (selected && u.isChange()) {
                events.changed(u.keyword());
            }
        } else if (response instanceof ImapResponse.Tagged t && t.tag().equals(pendingTag)) {
            disarm();
            Promise<ImapResponse.Tagged> p = pending;
            pending = null;
            pendingTag = null;
            if (t.ok()) {
                p.complete(t);
            } else {
                p.fail(new Refused(t.status() + " " + t.text()));
            }
        } else if (response instanceof ImapResponse.Continuation c && onContinuation != null) {
            onContinuation.accept(c);
        } else {
            end(End.DROPPED, "unexpected response: " + abbreviate(response.toString()));
        }
    }

    /** A command answered NO or BAD (the text may quote the server). */
    static final class Refused extends RuntimeException {
        Refused(String text) {
            super(text, null, false, false);
        }
    }

    private void failed(Throwable e) {
        if (e instanceof Ended ended) {
            end(ended.end, ended.getMessage());
        } else {
            end(End.DROPPED, String.valueOf(e.getMessage()));
        }
    }

    private void end(End end, String detail) {
        if (ended) {
            return;
        }
        ended = true;
        disarm();
        if (socket != null) {
            if (end == End.STOPPED) {
                socket.end(); // after the LOGOUT written above
            } else {
                socket.close();
            }
        }
        events.ended(stopping ? End.STOPPED : end, detail);
    }

    /** A timeout on the answer now awaited (the greeting, a command, IDLE's continuation, the completion after DONE). */
    private void arm() {
        disarm();
        timer = vertx.setTimer(timeout.toMillis(), t -> {
            timer = -1;
            end(End.DROPPED, "no answer from the server within " + (timeout.toMillis() % 1000 == 0
                    ? timeout.toSeconds() + " s" : timeout.toMillis() + " ms"));
        });
    }

    private void disarm() {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
            timer = -1;
        }
    }

    private String nextTag() {
        return "w" + (++tags);
    }

    /** A folder name as an IMAP quoted string, in modified UTF-7 (RFC 3501 5.1.3). */
    static String quoted(String name) {
        String encoded = BASE64MailboxEncoder.encode(name);
        StringBuilder s = new StringBuilder(encoded.length() + 2).append('"');
        for (char c : encoded.toCharArray()) {
            if (c < 0x20 || c == 0x7f) {
                throw new Ended(End.DROPPED, "a folder name with a control character cannot be examined");
            }
            if (c == '"' || c == '\\') {
                s.append('\\');
            }
            s.append(c);
        }
        return s.append('"').toString();
    }

    private static String abbreviate(String s) {
        return s.length() > 200 ? s.substring(0, 200) + "..." : s;
    }
}
