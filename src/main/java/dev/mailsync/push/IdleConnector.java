package dev.mailsync.push;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import dev.mailsync.common.MailSockets;
import dev.mailsync.imap.ImapConfig;
import dev.mailsync.imap.ImapLogin;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.TrustOptions;

/**
 * Opens the push connections: the one place where a watch connects to a mail server (a per-mailbox connection cap
 * or a throttling backoff belongs here). Connections run on Quarkus' Vert.x event loops, with the IMAP connect and
 * read timeouts, TCP keep-alive and no Nagle, and TLS as {@code mailsync.microsoft.imap.tls} says, trusting what
 * {@link MailSockets} trusts and checking the server's host name.
 */
@ApplicationScoped
public class IdleConnector {

    private final Vertx vertx;
    private final ImapConfig imap;
    private final PushConfig config;
    private final NetClient plain;
    private final NetClient tls;

    public IdleConnector(Vertx vertx, ImapConfig imap, PushConfig config, MailSockets sockets) {
        this.vertx = vertx;
        this.imap = imap;
        this.config = config;
        NetClientOptions options = new NetClientOptions()
                .setConnectTimeout((int) imap.connectTimeout().toMillis())
                .setTcpKeepAlive(true)
                .setTcpNoDelay(true)
                .setHostnameVerificationAlgorithm("HTTPS")
                .setTrustOptions(TrustOptions.wrap(sockets.trustManager()));
        this.plain = vertx.createNetClient(new NetClientOptions(options)); // clear text, or STARTTLS
        this.tls = vertx.createNetClient(new NetClientOptions(options).setSsl(true));
    }

    /** A connection that logs in, examines {@code folder} and stays in IDLE; started, its news go to {@code events}. */
    IdleConnection open(ImapLogin login, String folder, IdleConnection.Events events) {
        IdleConnection connection = new IdleConnection(vertx, login.tls() == MailSockets.Tls.SSL ? tls : plain, login,
                folder, imap.readTimeout(), config.idleRenew(), events);
        connection.start();
        return connection;
    }

    @PreDestroy
    void close() {
        plain.close();
        tls.close();
    }
}
