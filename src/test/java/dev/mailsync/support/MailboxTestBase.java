package dev.mailsync.support;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;

import com.icegreen.greenmail.util.GreenMail;

import dev.mailsync.sync.MailboxSyncer;
import dev.mailsync.sync.SyncLeases;

/**
 * The shared fixture of tests that connect mailboxes: the parts of {@link FakeMicrosoftResource}, injected by type,
 * and a known starting point before each test (the fake identity platform reset to its default user and behaviour,
 * no scripted SMTP failures left over, the Entra app saved by an administrator with the secret the fake requires).
 * Subclasses are annotated {@link MailsyncTest} themselves and add what is their own (a user, an account, folders)
 * in their own {@code @BeforeEach}, which JUnit runs after this one.
 */
public abstract class MailboxTestBase {

    /** The identity platform (authorize and token endpoints). */
    protected FakeEntra fake;
    /** Microsoft Graph; accepts the Graph tokens {@link #fake} issues. */
    protected FakeGraph graph;
    /** IMAP and SMTP server; accepts the access tokens {@link #fake} issues. */
    protected GreenMail mail;
    /** The relay between the service and GreenMail's IMAP port, which a test can cut, slow down or rewrite. */
    protected TcpProxy imapProxy;
    /** The service's IMAP server: relays to {@link #imapProxy} unless a test scripts throttling or a session limit. */
    protected ImapFront imapFront;
    /** The service's SMTP server: relays to GreenMail unless a test scripts a failure. */
    protected SmtpFront smtp;
    /** How GreenMail files submitted mail (in the sender's Sent Items, as Outlook does). */
    protected OutlookDelivery outlook;

    /** Claims a mailbox's sync lease, as the scheduler would, before a test runs a pass itself. */
    @Inject
    protected SyncLeases leases;
    /** Runs one sync pass of a mailbox, in the test's thread. */
    @Inject
    protected MailboxSyncer syncer;
    /** What the service stored, read and changed with bind parameters. */
    @Inject
    protected Sql sql;

    @BeforeEach
    void resetFakeMicrosoft() {
        fake.reset();
        graph.reset();
        smtp.clear();
        imapFront.clear();
        ConnectFlows.configureProvider(fake);
    }
}
