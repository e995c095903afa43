package dev.mailsync.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import jakarta.mail.internet.MimeMessage;

import com.icegreen.greenmail.store.StoredMessage;
import com.icegreen.greenmail.util.GreenMail;

/** The copies of a sent message that reached GreenMail's mailboxes, found by their Message-ID. */
public final class Delivered {

    private Delivered() {
    }

    /** The messages with this Message-ID (without angle brackets) in a folder; none if the address has no account. */
    public static List<MimeMessage> inFolder(GreenMail mail, String address, String folder, String messageId)
            throws Exception {
        List<MimeMessage> found = new ArrayList<>();
        if (mail.getUserManager().getUserByEmail(address) == null) {
            return found;
        }
        for (StoredMessage m : Mailboxes.folder(mail, address, folder).getMessages()) {
            String[] ids = m.getMimeMessage().getHeader("Message-ID");
            if (ids != null && ids[0].equals("<" + messageId + ">")) {
                found.add(m.getMimeMessage());
            }
        }
        return found;
    }

    /** The copies of the message in the recipient's INBOX. */
    public static List<MimeMessage> received(GreenMail mail, String recipient, String messageId) throws Exception {
        return inFolder(mail, recipient, "INBOX", messageId);
    }

    /** How many copies of the message the recipient received. */
    public static int copies(GreenMail mail, String recipient, String messageId) throws Exception {
        return received(mail, recipient, messageId).size();
    }

    /** The one copy of the message the recipient received; fails if there is none or more than one. */
    public static MimeMessage only(GreenMail mail, String recipient, String messageId) throws Exception {
        List<MimeMessage> found = received(mail, recipient, messageId);
        assertThat(found).as("copies of %s at %s", messageId, recipient).hasSize(1);
        return found.get(0);
    }
}
