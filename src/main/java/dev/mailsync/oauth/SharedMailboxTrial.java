package dev.mailsync.oauth;

import java.time.Duration;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.MessagingException;

import dev.mailsync.common.problem.ProblemCode;
import dev.mailsync.common.problem.ProblemException;
import dev.mailsync.imap.ImapConnector;
import dev.mailsync.imap.ThrottleReplies;
import dev.mailsync.mailbox.SharedAccess;
import io.quarkus.logging.Log;

/**
 * Tries a shared mailbox's login before it is added: one IMAP login as the shared address with the delegate's token
 * ({@link MailboxLogins#sharedLogin}), time-boxed by {@code mailsync.imap.trial-login-timeout}. Exchange answers a
 * user without access to the shared mailbox {@code NO AUTHENTICATE failed.}, which becomes 422
 * {@code shared_mailbox_denied}.
 */
@ApplicationScoped
public class SharedMailboxTrial implements SharedAccess {

    private final MailboxLogins logins;
    private final ImapConnector connector;

    public SharedMailboxTrial(MailboxLogins logins, ImapConnector connector) {
        this.logins = logins;
        this.connector = connector;
    }

    @Override
    public void verify(UUID viaId, String address) {
        try {
            connector.tryLogin(logins.sharedLogin(viaId, address));
        } catch (ReauthorizationRequired e) {
            throw new ProblemException(ProblemCode.REAUTH_REQUIRED, "Microsoft no longer accepts the sign-in of mailbox "
                    + viaId + ": the user must connect it again before adding shared mailboxes through it");
        } catch (TokenUnavailable e) {
            throw new ProblemException(ProblemCode.TOKEN_UNAVAILABLE,
                    "No access token could be obtained right now to check the access to " + address + "; try again "
                            + "shortly");
        } catch (MessagingException e) {
            throw refusal(viaId, address, e);
        }
    }

    private static ProblemException refusal(UUID viaId, String address, MessagingException e) {
        Optional<Duration> backoff = ThrottleReplies.backoff(e);
        if (backoff.isPresent()) {
            return ProblemException.retryAfter(ProblemCode.IMAP_THROTTLED, "The mail server throttles this account "
                    + "now; try adding " + address + " again after Retry-After", backoff.get());
        }
        if (e instanceof AuthenticationFailedException) {
            Log.infof("The mail server refused mailbox %s access to the shared mailbox %s: %s", viaId, address,
                    e.getMessage());
            return new ProblemException(ProblemCode.SHARED_MAILBOX_DENIED, "The mail server refused this mailbox's "
                    + "sign-in access to " + address + " (" + e.getMessage() + "): the address may not exist, or an "
                    + "Exchange administrator must grant this user Full Access to it");
        }
        Log.warnf("Could not check the access of mailbox %s to the shared mailbox %s: %s", viaId, address,
                e.getMessage());
        return new ProblemException(ProblemCode.IMAP_UNREACHABLE, "The mail server could not be reached to check the "
                + "access to " + address + " (" + e.getMessage() + "); try again shortly");
    }
}
