package dev.mailsync.outbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

/** The SMTP reply classification, without a server: what Exchange Online and others answer, and what it means. */
class SmtpRepliesTest {

    private static void assertKind(SmtpFailure failure, String code, boolean permanent, boolean ambiguous) {
        assertThat(failure.code()).isEqualTo(code);
        assertThat(failure.permanent()).as("permanent").isEqualTo(permanent);
        assertThat(failure.ambiguous()).as("ambiguous").isEqualTo(ambiguous);
    }

    @Test
    void shouldMakeTheThreeKindsOfFailure() {
        assertKind(SmtpFailure.permanent("c", "m"), "c", true, false);
        assertKind(SmtpFailure.retryable("c", "m"), "c", false, false);
        assertKind(SmtpFailure.ambiguous("c", "m"), "c", false, true);
        assertThat(SmtpFailure.permanent("c", "the text").getMessage()).isEqualTo("the text");
        assertThat(SmtpFailure.retryable("c", "m").getStackTrace()).isEmpty(); // an answer, not a bug
    }

    @Test
    void shouldTellDisabledSmtpAuthFromARejectedTokenAndABusyServer() {
        SmtpFailure disabled = SmtpReplies.authFailure("535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication"
                + " is disabled for the Mailbox.");
        assertKind(disabled, "smtp_auth_disabled", true, false);
        assertThat(disabled.getMessage()).contains("5.7.139", "https://aka.ms/smtp_auth_disabled");
        assertKind(SmtpReplies.authFailure("535 5.7.3 Authentication unsuccessful"), "smtp_token_rejected", true,
                false);
        assertKind(SmtpReplies.authFailure(null), "smtp_token_rejected", true, false);
        assertKind(SmtpReplies.authFailure("454 4.7.0 Temporary authentication failure"), "smtp_busy", false, false);
    }

    @Test
    void shouldRetryConnectFailuresUnlessTheServerRefusedForGood() {
        assertKind(SmtpReplies.connectFailure("Couldn't connect to host, port: smtp.example, 587; timeout -1"),
                "smtp_unreachable", false, false);
        assertKind(SmtpReplies.connectFailure(null), "smtp_unreachable", false, false);
        assertKind(SmtpReplies.connectFailure("421 4.3.2 Service not available"), "smtp_busy", false, false);
        SmtpFailure refused = SmtpReplies.connectFailure("554 5.7.1 Client host rejected");
        assertKind(refused, "smtp_rejected", true, false);
        assertThat(refused.getMessage()).isEqualTo("The mail server could not be reached: 554 5.7.1 Client host rejected");
        // a number inside a word or a port is no reply code
        assertKind(SmtpReplies.connectFailure("Connection refused: smtp.example:5870"), "smtp_unreachable", false,
                false);
    }

    @Test
    void shouldCallALostConnectionAmbiguousOnlyAfterTheMessageData() {
        assertKind(SmtpReplies.sendFailure(-1, "EOF", "."), "smtp_connection_lost", false, true);
        assertKind(SmtpReplies.sendFailure(-1, "Read timed out", "DATA"), "smtp_connection_lost", false, false);
        assertKind(SmtpReplies.sendFailure(-1, "EOF", null), "smtp_connection_lost", false, false);
        assertKind(SmtpReplies.connectionLost("Broken pipe"), "smtp_connection_lost", false, true);
    }

    @Test
    void shouldClassifyRefusalsOfTheTransaction() {
        assertKind(SmtpReplies.sendFailure(451, "451 4.7.500 Server busy", "."), "smtp_busy", false, false);
        assertKind(SmtpReplies.sendFailure(552, "552 Too much mail data", "."), "message_too_large", true, false);
        assertKind(SmtpReplies.sendFailure(554, "554 5.3.4 Message too big for system", "."), "message_too_large",
                true, false);
        assertKind(SmtpReplies.sendFailure(550, "550 5.7.60 SMTP; Client does not have permissions to send as this"
                + " sender [SendAsDenied]", "."), "send_as_denied", true, false);
        assertKind(SmtpReplies.sendFailure(550, "550 5.2.252 SendAsDeniedException.Mapi", "."), "send_as_denied",
                true, false);
        assertKind(SmtpReplies.sendFailure(550, "550 5.1.10 RESOLVER.ADR.RecipientNotFound", "."),
                "recipient_refused", true, false);
        assertKind(SmtpReplies.sendFailure(554, "554 5.6.0 Corrupt message content", "."), "smtp_rejected", true,
                false);
    }

    @Test
    void shouldFailForAPermanentRecipientRefusalAndRetryDeferredOnes() {
        SmtpFailure refused = SmtpReplies.recipientFailure(List.of("a@x.example: 550 5.1.1 unknown",
                "b@x.example: 451 4.4.0 later"), true, "Invalid Addresses");
        assertKind(refused, "recipient_refused", true, false);
        assertThat(refused.getMessage()).isEqualTo("The mail server refused recipients: a@x.example: 550 5.1.1 unknown;"
                + " b@x.example: 451 4.4.0 later");
        SmtpFailure deferred = SmtpReplies.recipientFailure(List.of(), false, "Invalid Addresses");
        assertKind(deferred, "smtp_busy", false, false);
        assertThat(deferred.getMessage()).endsWith(": Invalid Addresses");
    }

    @Test
    void shouldOnlyUseCodesTheMetricsKnow() {
        List<SmtpFailure> all = List.of(SmtpReplies.authFailure("5.7.139"), SmtpReplies.authFailure("4"),
                SmtpReplies.authFailure("x"), SmtpReplies.connectFailure("550 no"), SmtpReplies.connectFailure("x"),
                SmtpReplies.sendFailure(552, "", "."), SmtpReplies.sendFailure(550, "SendAsDenied", "."),
                SmtpReplies.sendFailure(550, "550 5.1.1", "."), SmtpReplies.connectionLost("x"),
                SmtpReplies.recipientFailure(List.of(), true, "x"));
        assertThat(all).allSatisfy(f -> assertThat(OutboxMetrics.SMTP_ERROR_CODES).contains(f.code()));
    }
}
