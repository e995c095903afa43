package dev.mailsync.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.UUID;

import org.junit.jupiter.api.BeforeEach;

import com.icegreen.greenmail.store.MailFolder;

/**
 * The fixture of tests about one connected mailbox: before each test, a new user ({@link #bearer}) connects a new
 * GreenMail account ({@link #address}) that has an INBOX and the folders the subclass names, through the real
 * connect flow; {@link #pass()} then syncs it, as the scheduler would. Runs after {@link MailboxTestBase}'s reset,
 * and before the subclass's own {@code @BeforeEach}.
 */
public abstract class ConnectedMailboxTestBase extends MailboxTestBase {

    private final String userPrefix;
    private final String[] folders;

    /** The user's bearer token. */
    protected String bearer;
    /** The GreenMail account's address. */
    protected String address;
    /** The account's INBOX in GreenMail. */
    protected MailFolder inbox;
    /** The connected mailbox's id. */
    protected String id;

    /**
     * @param userPrefix how the user's name starts (a random suffix follows)
     * @param folders the folders the account has besides INBOX, created in this order before connecting
     */
    protected ConnectedMailboxTestBase(String userPrefix, String... folders) {
        this.userPrefix = userPrefix;
        this.folders = folders;
    }

    @BeforeEach
    void connectNewMailbox() throws Exception {
        bearer = TestUsers.bearer(userPrefix + "-" + UUID.randomUUID());
        address = Mailboxes.newAccount(mail);
        inbox = Mailboxes.folder(mail, address, "INBOX");
        for (String folder : folders) {
            Mailboxes.folder(mail, address, folder);
        }
        id = Mailboxes.connect(fake, bearer, address);
    }

    /** Runs one sync pass of the mailbox in the test's thread, under its sync lease. */
    protected void pass() {
        assertThat(leases.claim(UUID.fromString(id), "test")).isTrue();
        syncer.runPass(UUID.fromString(id), "test");
    }
}
