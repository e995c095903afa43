package dev.mailsync.support;

import java.util.Collections;
import java.util.Date;
import java.util.Set;
import java.util.WeakHashMap;

import jakarta.mail.Flags;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimeMessage;

import com.icegreen.greenmail.mail.MailAddress;
import com.icegreen.greenmail.mail.MovingMessage;
import com.icegreen.greenmail.smtp.auth.UsernameAuthentication;
import com.icegreen.greenmail.user.GreenMailUser;
import com.icegreen.greenmail.user.MessageDeliveryHandler;
import com.icegreen.greenmail.user.UserException;
import com.icegreen.greenmail.util.GreenMail;

/**
 * GreenMail's SMTP delivery made to behave like Exchange Online: besides each recipient's INBOX (new addresses
 * get an account), a message submitted by an authenticated user is filed in that user's "Sent Items", marked
 * read, as Outlook does with mail submitted over SMTP.
 */
public class OutlookDelivery implements MessageDeliveryHandler {

    private final GreenMail mail;
    private final Set<MovingMessage> filed = Collections.synchronizedSet(Collections.newSetFromMap(new WeakHashMap<>()));
    private volatile boolean fileSentItems = true;

    public OutlookDelivery(GreenMail mail) {
        this.mail = mail;
    }

    @Override
    public GreenMailUser handle(MovingMessage message, MailAddress recipient) throws MessagingException, UserException {
        if (fileSentItems && message.getAuthenticationState() instanceof UsernameAuthentication auth
                && filed.add(message)) {
            fileInSent(auth.getUsername(), message.getMessage());
        }
        return user(recipient.getEmail());
    }

    /** Whether submitted mail is filed in Sent Items (Outlook) or not (a plain SMTP server). */
    public void fileSentItems(boolean file) {
        fileSentItems = file;
    }

    /** Files a message in the user's "Sent Items", as Outlook does after accepting it. */
    public void fileInSent(String user, MimeMessage message) throws MessagingException {
        try {
            Mailboxes.folder(mail, user, "Sent Items").appendMessage(message, new Flags(Flags.Flag.SEEN),
                    new Date());
        } catch (Exception e) {
            throw new MessagingException("cannot file in Sent Items: " + e.getMessage(), e);
        }
    }

    private GreenMailUser user(String email) throws UserException {
        GreenMailUser user = mail.getUserManager().getUserByEmail(email);
        return user != null ? user : mail.getUserManager().createUser(email, email, email);
    }
}
