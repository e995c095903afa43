package dev.mailsync.support;

import java.time.Instant;
import java.util.Date;
import java.util.Properties;
import java.util.UUID;

import jakarta.mail.Flags;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;

import com.icegreen.greenmail.imap.ImapHostManager;
import com.icegreen.greenmail.store.MailFolder;
import com.icegreen.greenmail.user.GreenMailUser;
import com.icegreen.greenmail.util.GreenMail;

/** Test mailboxes on GreenMail, connected to mailsync through the real connect flow. */
public final class Mailboxes {

    private static final Session SESSION = Session.getInstance(new Properties());

    private Mailboxes() {
    }

    /** A fresh GreenMail account (its password becomes whatever token the fake issues). */
    public static String newAccount(GreenMail mail) {
        String address = "user-" + UUID.randomUUID().toString().substring(0, 8) + "@contoso.example";
        mail.setUser(address, address, "not-yet-connected");
        return address;
    }

    /** Connects the account for this user through the connect flow; answers the mailbox id. */
    public static String connect(FakeEntra fake, String bearer, String address) {
        fake.nextUser(address, "Test User");
        return ConnectFlows.connectMailbox(bearer);
    }

    public static MailFolder folder(GreenMail mail, String address, String name) throws Exception {
        ImapHostManager host = mail.getManagers().getImapHostManager();
        GreenMailUser user = mail.getUserManager().getUserByEmail(address);
        MailFolder folder = host.getFolder(user, name);
        return folder != null ? folder : host.createMailbox(user, name);
    }

    public static void deleteFolder(GreenMail mail, String address, String name) throws Exception {
        mail.getManagers().getImapHostManager().deleteMailbox(mail.getUserManager().getUserByEmail(address), name);
    }

    /** Appends a simple message; answers its UID. */
    public static long append(MailFolder folder, String subject, String body, Flags flags) throws Exception {
        MimeMessage m = new MimeMessage(SESSION);
        m.setFrom("Sender Name <sender@fabrikam.example>");
        m.setRecipients(jakarta.mail.Message.RecipientType.TO, "Test User <to@contoso.example>");
        m.setSubject(subject, "UTF-8");
        m.setText(body, "UTF-8");
        m.setSentDate(new Date());
        m.saveChanges();
        return folder.appendMessage(m, flags == null ? new Flags() : flags, Date.from(Instant.now()));
    }

    /** Appends a raw RFC 5322 message exactly as given; answers its UID. */
    public static long appendRaw(MailFolder folder, byte[] raw) throws Exception {
        return appendRaw(folder, raw, Date.from(Instant.now()));
    }

    /** Appends a raw RFC 5322 message exactly as given, received at a given time; answers its UID. */
    public static long appendRaw(MailFolder folder, byte[] raw, Date received) throws Exception {
        MimeMessage m = new MimeMessage(SESSION, new java.io.ByteArrayInputStream(raw));
        return folder.appendMessage(m, new Flags(), received);
    }
}
