package dev.mailsync.support;

import java.util.Map;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * Microsoft 365 for the tests: {@link FakeEntra} (identity platform), {@link FakeGraph} (Microsoft Graph, which
 * accepts FakeEntra's Graph tokens) and GreenMail (IMAP and SMTP, XOAUTH2),
 * wired so that every access token the fake issues is what GreenMail accepts for that user. IMAP is reached
 * through an {@link ImapFront} that a test can make answer like a throttling Exchange Online, then a
 * {@link TcpProxy} that a test can cut, SMTP through a {@link SmtpFront} that a test can make answer
 * like a failing smtp.office365.com, and GreenMail files submitted mail in the sender's "Sent Items" as Outlook
 * does ({@link OutlookDelivery}). {@link Delegations} grants a user access to a shared mailbox. Injects fields of these types into tests.
 */
public class FakeMicrosoftResource implements QuarkusTestResourceLifecycleManager {

    private FakeEntra entra;
    private FakeGraph graph;
    private GreenMail mail;
    private TcpProxy imapProxy;
    private ImapFront imapFront;
    private SmtpFront smtpFront;
    private OutlookDelivery outlook;
    private Delegations delegations;

    @Override
    public Map<String, String> start() {
        mail = new GreenMail(new ServerSetup[] { new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_IMAP),
                new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP) });
        mail.start();
        outlook = new OutlookDelivery(mail);
        mail.getUserManager().setMessageDeliveryHandler(outlook);
        entra = new FakeEntra();
        delegations = new Delegations(mail);
        entra.onAccessToken((user, token) -> {
            mail.setUser(user, user, token);
            delegations.tokenIssued(user, token);
        });
        entra.startServer();
        graph = new FakeGraph(entra);
        graph.startServer();
        graph.serveMail(new FakeGraphMail(mail, outlook, graph.url()));
        imapProxy = new TcpProxy("127.0.0.1", mail.getImap().getPort());
        imapFront = new ImapFront("127.0.0.1", imapProxy.port());
        smtpFront = new SmtpFront("127.0.0.1", mail.getSmtp().getPort());
        return Map.of("mailsync.microsoft.authority", entra.authority(),
                "mailsync.microsoft.graph-url", graph.url(),
                "mailsync.microsoft.imap.host", "127.0.0.1",
                "mailsync.microsoft.imap.port", String.valueOf(imapFront.port()),
                "mailsync.microsoft.imap.tls", "none",
                "mailsync.microsoft.smtp.host", "127.0.0.1",
                "mailsync.microsoft.smtp.port", String.valueOf(smtpFront.port()),
                "mailsync.microsoft.smtp.tls", "none");
    }

    @Override
    public void inject(TestInjector injector) {
        injector.injectIntoFields(entra, new TestInjector.MatchesType(FakeEntra.class));
        injector.injectIntoFields(graph, new TestInjector.MatchesType(FakeGraph.class));
        injector.injectIntoFields(mail, new TestInjector.MatchesType(GreenMail.class));
        injector.injectIntoFields(imapProxy, new TestInjector.MatchesType(TcpProxy.class));
        injector.injectIntoFields(imapFront, new TestInjector.MatchesType(ImapFront.class));
        injector.injectIntoFields(smtpFront, new TestInjector.MatchesType(SmtpFront.class));
        injector.injectIntoFields(outlook, new TestInjector.MatchesType(OutlookDelivery.class));
        injector.injectIntoFields(delegations, new TestInjector.MatchesType(Delegations.class));
    }

    @Override
    public void stop() {
        if (imapFront != null) {
            imapFront.close();
        }
        if (imapProxy != null) {
            imapProxy.close();
        }
        if (smtpFront != null) {
            smtpFront.close();
        }
        if (graph != null) {
            graph.stopServer();
        }
        if (entra != null) {
            entra.stopServer();
        }
        if (mail != null) {
            mail.stop();
        }
    }
}
