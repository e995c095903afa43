package dev.mailsync.outbox;

import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import dev.mailsync.common.db.Jdbc;
import io.quarkus.logging.Log;

/**
 * Which transport sends a mailbox's mail ({@code mailsync.microsoft.send-transport}): always SMTP, always Graph, or
 * ({@code auto}) SMTP until Microsoft answers {@code 535 5.7.139} (SMTP AUTH is off for the mailbox or its tenant);
 * then the mailbox is switched to Graph, and the switch is kept on the mailbox ({@code mailbox.send_transport}). In
 * {@code auto}, a mailbox whose {@code send_transport} an operator set to {@code smtp} stays on SMTP. A shared mailbox
 * sends through Graph whatever the setting: SMTP AUTH cannot send as it with its delegate's token.
 */
@ApplicationScoped
class Transports {

    private final TransportConfig config;
    private final SmtpSubmission smtp;
    private final GraphSubmission graph;
    private final Jdbc jdbc;

    Transports(TransportConfig config, SmtpSubmission smtp, GraphSubmission graph, Jdbc jdbc) {
        this.config = config;
        this.smtp = smtp;
        this.graph = graph;
        this.jdbc = jdbc;
    }

    /** The mailbox's transport now; a shared mailbox always sends through Graph (as its address, Send As). */
    Submission forMailbox(UUID mailboxId) {
        // a shared mailbox, or in auto a mailbox switched to Graph
        boolean onGraph = jdbc.optional("select kind = 'shared', send_transport = ? from mailbox where id = ?",
                rs -> rs.getBoolean(1) || (config.sendTransport() == TransportConfig.Choice.AUTO && rs.getBoolean(2)),
                Transport.GRAPH.wire(), mailboxId).orElse(false);
        if (onGraph) {
            return graph;
        }
        return config.sendTransport() == TransportConfig.Choice.GRAPH ? graph : smtp;
    }

    /**
     * After an SMTP failure: the transport to try the same item with at once, or null. Only in {@code auto}, only
     * when SMTP AUTH is off ({@code smtp_auth_disabled}, no mail was taken); the mailbox stays on Graph.
     */
    Submission fallbackAfter(UUID mailboxId, SmtpFailure failure) {
        if (config.sendTransport() != TransportConfig.Choice.AUTO || !"smtp_auth_disabled".equals(failure.code())) {
            return null;
        }
        if (jdbc.update("update mailbox set send_transport = 'graph' where id = ? and send_transport is null",
                mailboxId) == 0) {
            return null; // kept on SMTP by an operator
        }
        Log.infof("Mailbox %s: Microsoft refused SMTP AUTH (5.7.139); it sends through Microsoft Graph from now on",
                mailboxId);
        return graph;
    }
}
