package dev.mailsync.common;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Optional;
import java.util.Properties;

import org.junit.jupiter.api.Test;

import dev.mailsync.imap.ImapLogin;

/** IMAP and SMTP sessions are set up by one method, so their settings cannot drift apart again. */
class MailSessionPropertiesTest {

    private final MailSockets sockets = new MailSockets(Optional::empty);

    @Test
    void shouldAllowOnlyXoauth2OnBothProtocols() {
        for (String protocol : new String[] { "imap", "imaps", "smtp" }) {
            Properties props = sockets.sessionProperties(protocol, MailSockets.Tls.STARTTLS, Duration.ofSeconds(20),
                    Duration.ofMinutes(2));
            String p = "mail." + protocol + ".";
            assertThat(props).containsEntry(p + "auth.mechanisms", "XOAUTH2")
                    .containsEntry(p + "auth.login.disable", "true").containsEntry(p + "auth.plain.disable", "true")
                    .containsEntry(p + "auth.digest-md5.disable", "true")
                    .containsEntry(p + "auth.ntlm.disable", "true");
            assertThat(props).containsEntry(p + "connectiontimeout", "20000").containsEntry(p + "timeout", "120000")
                    .containsEntry(p + "writetimeout", "120000")
                    .containsEntry(p + "ssl.checkserveridentity", "true")
                    .containsEntry(p + "starttls.required", "true").containsEntry(p + "socketFactory.fallback", "false");
        }
    }

    @Test
    void shouldSetTheTlsModeAsAsked() {
        Duration t = Duration.ofSeconds(1);
        assertThat(sockets.sessionProperties("smtp", MailSockets.Tls.SSL, t, t))
                .containsEntry("mail.smtp.ssl.enable", "true").doesNotContainKey("mail.smtp.starttls.enable");
        assertThat(sockets.sessionProperties("imap", MailSockets.Tls.NONE, t, t))
                .doesNotContainKeys("mail.imap.ssl.enable", "mail.imap.starttls.enable");
    }

    @Test
    void shouldKeepTheAccessTokenOutOfTheLoginsText() {
        ImapLogin login = new ImapLogin("outlook.office365.com", 993, MailSockets.Tls.SSL, "ada@contoso.example",
                "eyJ0eXAiOiJKV1QiLCJhbGciOi.secret");

        assertThat(login.toString()).contains("outlook.office365.com", "993", "ada@contoso.example")
                .doesNotContain("eyJ0eXAi").doesNotContain("secret");
    }
}
