package dev.mailsync.support;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;


/**
 * The one way to write a Quarkus test here: the application over HTTP against the embedded PostgreSQL and
 * {@link FakeMicrosoftResource} (fake Entra, fake Graph, GreenMail, the IMAP proxy and the SMTP front), whose parts are injected
 * into fields of their types ({@link FakeEntra}, {@link FakeGraph}, {@code GreenMail}, {@link ImapFront}, {@link TcpProxy}, {@link SmtpFront},
 * {@link OutlookDelivery}).
 * <p>
 * Every Quarkus test class carries this annotation, so they all declare the same test resources and share one
 * application start (scope {@code MATCHING_RESOURCES}: same resources and same profile, no restart). A class
 * without it, or with another {@code @WithTestResource}, restarts the application before and after it. A
 * {@code @TestProfile} restarts it too: reuse one of the profiles in {@link TestProfiles} rather than adding one.
 * Tests that use the fakes extend {@link MailboxTestBase}, which resets them before each test.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@QuarkusTest
@WithTestResource(FakeMicrosoftResource.class)
public @interface MailsyncTest {
}
