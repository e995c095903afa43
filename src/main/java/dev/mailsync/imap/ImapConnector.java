package dev.mailsync.imap;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.mail.MessagingException;

import dev.mailsync.common.MailSockets;

/**
 * Opens IMAP sessions for a mailbox with a fresh access token, within the mailbox's limits: never while its server
 * throttles it ({@link ImapBackoff}), never beyond its cap of connections ({@link ConnectionPermits}). The session
 * holds a permit until it is closed. (API operations use {@link ImapSessionPool} instead.)
 */
@ApplicationScoped
public class ImapConnector {

    private final ImapLogins logins;
    private final ImapConfig config;
    private final MailSockets sockets;
    private final ConnectionPermits permits;
    private final ImapBackoff backoff;

    public ImapConnector(ImapLogins logins, ImapConfig config, MailSockets sockets, ConnectionPermits permits,
            ImapBackoff backoff) {
        this.logins = logins;
        this.config = config;
        this.sockets = sockets;
        this.permits = permits;
        this.backoff = backoff;
    }

    /**
     * A session of its own for a sync pass, a push watcher or the outbox; closing it gives its permit back.
     *
     * @throws ImapThrottled the mailbox backs off now, or its login was throttled
     * @throws ImapBusy all its connections stayed in use for {@code mailsync.imap.sync-permit-wait} (for the API:
     *         {@code permit-wait})
     * @throws RuntimeException from {@link ImapLogins#login}: the mailbox needs its user to reconnect, or no token
     *         right now
     */
    public ImapSession open(UUID mailboxId, ImapUse use) throws MessagingException {
        backoff.check(mailboxId);
        ConnectionPermits.Permit permit = permits.acquire(mailboxId, permitWait(use));
        return login(mailboxId, logins.login(mailboxId), permit);
    }

    /**
     * Logs in once and out again, to learn whether the server accepts this login (adding a shared mailbox): no permit
     * (the login is not yet one of a mailbox's), and {@code mailsync.imap.trial-login-timeout} for the connect and
     * each answer.
     *
     * @throws jakarta.mail.AuthenticationFailedException the server refused the login
     * @throws MessagingException no connection, no answer in time, or another refusal (a throttling reply among them:
     *         {@link ThrottleReplies#backoff(Throwable)})
     */
    public void tryLogin(ImapLogin login) throws MessagingException {
        Duration timeout = config.trialLoginTimeout();
        ImapSession.connect(login, config, sockets, timeout, timeout).close();
    }

    /** Until when the mailbox's server must be left alone, if it must (for push watchers before they reconnect). */
    public Optional<Instant> backoffUntil(UUID mailboxId) {
        return backoff.backoffUntil(mailboxId);
    }

    /**
     * When {@code failure} (of a session of {@code use}) is a throttling reply, records the backoff and answers the
     * exception to throw instead; empty otherwise. The session it happened on should be closed.
     */
    public Optional<ImapThrottled> throttled(UUID mailboxId, Throwable failure, ImapUse use) {
        return backoff.recognise(mailboxId, failure, use.label());
    }

    Duration permitWait(ImapUse use) {
        return use == ImapUse.API ? config.permitWait() : config.syncPermitWait();
    }

    /** Logs in with the permit taken; the permit is given back if this fails. */
    ImapSession login(UUID mailboxId, ImapLogin login, ConnectionPermits.Permit permit) throws MessagingException {
        try {
            ImapSession session = ImapSession.connect(login, config, sockets);
            session.whenClosed(permit::close);
            return session;
        } catch (MessagingException | RuntimeException e) {
            permit.close();
            Optional<ImapThrottled> throttled = backoff.recognise(mailboxId, e, ImapBackoff.LOGIN);
            if (throttled.isPresent()) {
                throw throttled.get();
            }
            throw e;
        }
    }
}
