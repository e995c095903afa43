package dev.mailsync.push;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ImapResponseTest {

    @Test
    void shouldReadChangesOfTheSelectedFolder() {
        assertThat(ImapResponse.parse("* 23 EXISTS")).isEqualTo(new ImapResponse.Untagged(23, "EXISTS", ""));
        assertThat(((ImapResponse.Untagged) ImapResponse.parse("* 4 expunge")).isChange()).isTrue();
        assertThat(((ImapResponse.Untagged) ImapResponse.parse("* 7 FETCH (FLAGS (\\Seen))")).isChange()).isTrue();
        assertThat(((ImapResponse.Untagged) ImapResponse.parse("* 2 RECENT")).isChange()).isFalse();
        assertThat(((ImapResponse.Untagged) ImapResponse.parse("* OK Still here")).isChange()).isFalse();
    }

    @Test
    void shouldReadTaggedCompletionsContinuationsAndBye() {
        assertThat(ImapResponse.parse("w3 NO [AUTHENTICATIONFAILED] Invalid credentials"))
                .isEqualTo(new ImapResponse.Tagged("w3", "NO", "[AUTHENTICATIONFAILED] Invalid credentials"));
        assertThat(ImapResponse.parse("w9 BAD Request is throttled. Suggested Backoff Time: 299961 milliseconds"))
                .isEqualTo(new ImapResponse.Tagged("w9", "BAD",
                        "Request is throttled. Suggested Backoff Time: 299961 milliseconds"));
        assertThat(ImapResponse.parse("+ idling")).isEqualTo(new ImapResponse.Continuation("idling"));
        assertThat(ImapResponse.parse("+")).isEqualTo(new ImapResponse.Continuation(""));
        assertThat(ImapResponse.parse("* BYE Autologout; idle for too long"))
                .isEqualTo(new ImapResponse.Untagged(-1, "BYE", "Autologout; idle for too long"));
        assertThat(ImapResponse.parse("garbage")).isInstanceOf(ImapResponse.Unknown.class);
    }

    @Test
    void shouldFindCapabilitiesInAResponseOrAResponseCode() {
        assertThat(ImapResponse.capabilities(ImapResponse.parse("* CAPABILITY IMAP4rev1 idle SASL-IR AUTH=XOAUTH2 IDLE")))
                .containsExactlyInAnyOrder("IMAP4REV1", "IDLE", "SASL-IR", "AUTH=XOAUTH2");
        assertThat(ImapResponse.capabilities(ImapResponse.parse(
                "* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=PLAIN AUTH=XOAUTH2] The Microsoft Exchange IMAP4 service is ready.")))
                .contains("AUTH=XOAUTH2", "SASL-IR");
        assertThat(ImapResponse.capabilities(ImapResponse.parse("w2 OK [CAPABILITY IMAP4rev1 IDLE] Logged in")))
                .containsExactlyInAnyOrder("IMAP4REV1", "IDLE");
        assertThat(ImapResponse.capabilities(ImapResponse.parse("w2 OK Logged in"))).isNull();
    }

    @Test
    void shouldQuoteFolderNamesInModifiedUtf7() {
        assertThat(IdleConnection.quoted("INBOX")).isEqualTo("\"INBOX\"");
        assertThat(IdleConnection.quoted("Projekt/Återkoppling 2026")).isEqualTo("\"Projekt/&AMU-terkoppling 2026\"");
        assertThat(IdleConnection.quoted("a\"b\\c")).isEqualTo("\"a\\\"b\\\\c\"");
    }
}
