package dev.mailsync.outbox;

import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.mail.Address;
import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.MessagingException;
import jakarta.mail.SendFailedException;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.util.SharedByteArrayInputStream;

import org.eclipse.angus.mail.smtp.SMTPAddressFailedException;
import org.eclipse.angus.mail.smtp.SMTPSendFailedException;
import org.eclipse.angus.mail.smtp.SMTPTransport;

import dev.mailsync.common.MailSockets;
import dev.mailsync.oauth.MicrosoftConfig;

/**
 * Submits one stored message over SMTP with XOAUTH2 (no other mechanism: Angus would otherwise fall back to
 * LOGIN or PLAIN), STARTTLS required by default, exactly as composed (the Message-ID is kept). Every failure
 * becomes a {@link SmtpFailure} that says whether to retry, and whether the server may have taken the mail.
 */
@ApplicationScoped
public class SmtpSubmitter {

    private final MicrosoftConfig microsoft;
    private final OutboxConfig config;
    private final MailSockets sockets;

    public SmtpSubmitter(MicrosoftConfig microsoft, OutboxConfig config, MailSockets sockets) {
        this.microsoft = microsoft;
        this.config = config;
        this.sockets = sockets;
    }

    /**
     * @return the server's final reply (e.g. {@code 250 2.0.0 OK <id>})
     * @throws SmtpFailure the server refused, or the connection failed
     */
    public String submit(String user, String accessToken, byte[] mime, List<String> envelope) {
        Session session = Session.getInstance(properties());
        SMTPTransport transport;
        MimeMessage message;
        Address[] recipients;
        try {
            transport = (SMTPTransport) session.getTransport("smtp");
            // a shared stream: the parsed message refers to the stored bytes instead of copying them
            message = new MimeMessage(session, new SharedByteArrayInputStream(mime));
            recipients = new Address[envelope.size()];
            for (int i = 0; i < recipients.length; i++) {
                recipients[i] = new InternetAddress(envelope.get(i), false);
            }
        } catch (MessagingException e) {
            throw new IllegalStateException("the stored message cannot be read: " + e.getMessage(), e);
        }
        try {
            try {
                transport.connect(microsoft.smtp().host(), microsoft.smtp().port(), user, accessToken);
            } catch (AuthenticationFailedException e) {
                throw SmtpReplies.authFailure(e.getMessage());
            } catch (MessagingException e) {
                throw SmtpReplies.connectFailure(e.getMessage());
            }
            try {
                transport.sendMessage(message, recipients);
                return transport.getLastServerResponse();
            } catch (SMTPSendFailedException e) {
                throw SmtpReplies.sendFailure(e.getReturnCode(), e.getMessage(), e.getCommand());
            } catch (SendFailedException e) {
                throw recipientFailure(e);
            } catch (MessagingException e) {
                // the connection broke during the transaction: the server may have taken the mail
                throw SmtpReplies.connectionLost(e.getMessage());
            }
        } finally {
            try {
                transport.close();
            } catch (MessagingException e) {
                // the answer is known; QUIT is a courtesy
            }
        }
    }

    private Properties properties() {
        return sockets.sessionProperties("smtp", microsoft.smtp().tls(), config.smtpTimeout(), config.smtpTimeout());
    }

    /** The refused recipients of the exception's chain, for {@link SmtpReplies#recipientFailure}. */
    private static SmtpFailure recipientFailure(SendFailedException e) {
        List<String> refused = new ArrayList<>();
        boolean permanent = false;
        for (Exception next = e.getNextException(); next != null; ) {
            if (next instanceof SMTPAddressFailedException failed) {
                refused.add(failed.getAddress().getAddress() + ": " + failed.getMessage().strip());
                permanent |= failed.getReturnCode() >= 500;
                next = failed.getNextException();
            } else {
                refused.add(next.getMessage());
                next = next instanceof MessagingException m ? m.getNextException() : null;
            }
        }
        return SmtpReplies.recipientFailure(refused, permanent, e.getMessage());
    }
}
