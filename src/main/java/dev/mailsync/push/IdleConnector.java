package dev.mailsync.push;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import dev.mailsync.common.MailSockets;
import dev.mailsync.imap.ConnectionPermits;
import dev.mailsync.imap.ImapBackoff;
import dev.mailsync.imap.ImapBusy;
import dev.mailsync.imap.ImapConfig;
import dev.mailsync.imap.ImapLogin;
import dev.mailsync.imap.ImapUse;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.TrustOptions;

/**
 * Opens the push connections: the one place where a watch connects to a mail server. Each connection holds one of
 * the mailbox's connection permits ({@code mailsync.imap.max-connections-per-mailbox}, shared with sync passes and
 * the API) until it ends, and none is opened while the mailbox backs off after a throttling reply. Connections run on Quarkus' Vert.x event loops, with the IMAP connect and
 * read timeouts, TCP keep-alive and no Nagle, and TLS as {@code mailsync.microsoft.imap.tls} says, trusting what
 * {@link MailSockets} trusts and checking the server's host name.
 */
@ApplicationScoped
public class IdleConnector {

    private final Vertx vertx;
    private final ImapConfig imap;
    private final PushConfig config;
    private final ConnectionPermits permits;
    private final ImapBackoff backoff;
    private final NetClient plain;
    private final NetClient tls;

    public IdleConnector(Vertx vertx, ImapConfig imap, PushConfig config, MailSockets sockets,
            ConnectionPermits permits, ImapBackoff backoff) {
        this.vertx = vertx;
        this.imap = imap;
        this.config = config;
        this.permits = permits;
        this.backoff = backoff;
        NetClientOptions options = new NetClientOptions()
                .setConnectTimeout((int) imap.connectTimeout().toMillis())
                .setTcpKeepAlive(true)
                .setTcpNoDelay(true)
                .setHostnameVerificationAlgorithm("HTTPS")
                .setTrustOptions(TrustOptions.wrap(sockets.trustManager()));
        this.plain = vertx.createNetClient(new NetClientOptions(options)); // clear text, or STARTTLS
        this.tls = vertx.createNetClient(new NetClientOptions(options).setSsl(true));
    }

    /**
     * A connection that logs in, examines {@code folder} and stays in IDLE; started, its news go to {@code events}.
     * Blocking (it may wait up to {@code mailsync.imap.sync-permit-wait} for a permit): call it off the event loop.
     *
     * @throws ImapBusy every connection the mailbox may have is in use
     */
    IdleConnection open(UUID mailboxId, ImapLogin login, String folder, IdleConnection.Events events) {
        ConnectionPermits.Permit permit = permits.acquire(mailboxId, imap.syncPermitWait());
        IdleConnection connection = new IdleConnection(vertx, login.tls() == MailSockets.Tls.SSL ? tls : plain, login,
                folder, imap.readTimeout(), config.idleRenew(), new IdleConnection.Events() {
                    @Override
                    public void idling() {
                        events.idling();
                    }

                    @Override
                    public void changed(String kind) {
                        events.changed(kind);
                    }

                    @Override
                    public void ended(IdleConnection.End end, String detail) {
                        permit.close();
                        events.ended(end, detail);
                    }
                });
        connection.start();
        return connection;
    }

    /** Until when the mailbox must leave its server alone after a throttling reply (any replica's), if it must. */
    Optional<Instant> backoffUntil(UUID mailboxId) {
        return backoff.backoffUntil(mailboxId);
    }

    /** Records a throttling reply a push connection got (blocking: a database write). */
    void throttled(UUID mailboxId, Duration suggested) {
        backoff.throttled(mailboxId, suggested, ImapUse.PUSH.label());
    }

    @PreDestroy
    void close() {
        plain.close();
        tls.close();
    }
}
