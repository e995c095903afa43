package dev.mailsync.outbox;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.mail.MessagingException;

import dev.mailsync.imap.ImapConnector;
import dev.mailsync.imap.ImapSession;
import dev.mailsync.imap.ImapUnavailable;
import dev.mailsync.imap.ImapUse;
import dev.mailsync.imap.SpecialFolders;
import dev.mailsync.oauth.AccessTokens;
import io.quarkus.logging.Log;

/**
 * SMTP submission with the mailbox's Outlook token; the Sent folder is read (and, with
 * {@code mailsync.outbox.append-to-sent}, written) over IMAP.
 */
@ApplicationScoped
class SmtpSubmission implements Submission {

    private final SmtpSubmitter smtp;
    private final AccessTokens tokens;
    private final ImapConnector imap;
    private final SpecialFolders special;
    private final OutboxConfig config;
    private final OutboxMetrics metrics;

    SmtpSubmission(SmtpSubmitter smtp, AccessTokens tokens, ImapConnector imap, SpecialFolders special,
            OutboxConfig config, OutboxMetrics metrics) {
        this.smtp = smtp;
        this.tokens = tokens;
        this.imap = imap;
        this.special = special;
        this.config = config;
        this.metrics = metrics;
    }

    @Override
    public Transport transport() {
        return Transport.SMTP;
    }

    @Override
    public String submit(OutboxStore.Pending pending) {
        String token = tokens.accessToken(pending.mailboxId());
        String response = metrics.timeSubmission(
                () -> smtp.submit(pending.address(), token, pending.mime(), pending.envelope()));
        if (config.appendToSent()) {
            appendToSent(pending);
        }
        return response;
    }

    @Override
    public boolean inSentFolder(OutboxStore.Pending pending) {
        try (ImapSession session = imap.open(pending.mailboxId(), ImapUse.OUTBOX)) {
            String sent = special.sent(session.listFolders())
                    .orElseThrow(() -> new ReconcileFailed("the mailbox has no Sent folder to check", null));
            return session.hasMessageId(sent, pending.messageId());
        } catch (MessagingException | ImapUnavailable e) {
            throw new ReconcileFailed("could not check the Sent folder for an interrupted attempt: "
                    + e.getMessage(), null);
        }
    }

    private void appendToSent(OutboxStore.Pending pending) {
        try (ImapSession session = imap.open(pending.mailboxId(), ImapUse.OUTBOX)) {
            String sent = special.sent(session.listFolders()).orElse(null);
            if (sent == null) {
                Log.warnf("Mailbox %s has no Sent folder; the sent message was not filed", pending.mailboxId());
                return;
            }
            session.append(sent, pending.mime());
        } catch (MessagingException | RuntimeException e) {
            // the mail is sent; only the copy is missing
            Log.warnf("Could not file the sent message in the Sent folder of mailbox %s: %s", pending.mailboxId(),
                    e.getMessage());
        }
    }
}
