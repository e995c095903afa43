package dev.mailsync.graph;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class GraphErrorsTest {

    @ParameterizedTest(name = "{0} {1} -> {2}")
    @CsvSource(nullValues = "-", value = {
            // status, Graph code, outbox code, permanent, ambiguous after a submission
            "403, ErrorSendAsDenied,              send_as_denied,            true,  false",
            "404, MailboxNotEnabledForRESTAPI,    graph_mailbox_not_enabled, true,  false",
            "503, MailboxNotEnabledForRESTAPI,    graph_mailbox_not_enabled, true,  false",
            "403, ErrorQuotaExceeded,             mailbox_quota_exceeded,    true,  false",
            "507, ErrorQuotaExceeded,             mailbox_quota_exceeded,    true,  false",
            "413, RequestEntityTooLarge,          message_too_large,         true,  false",
            "400, ErrorMessageSizeExceeded,       message_too_large,         true,  false",
            "413, -,                              message_too_large,         true,  false",
            "400, ErrorInvalidRecipients,         recipient_refused,         true,  false",
            "429, ApplicationThrottled,           graph_throttled,           false, false",
            "503, ServiceUnavailable,             graph_unavailable,         false, true",
            "500, ErrorInternalServerError,       graph_unavailable,         false, true",
            "504, -,                              graph_unavailable,         false, true",
            "401, InvalidAuthenticationToken,     graph_token_rejected,      true,  false",
            "403, ErrorAccessDenied,              graph_consent_missing,     true,  false",
            "400, ErrorMimeContentInvalidBase64String, graph_rejected,       true,  false",
            "404, ErrorInvalidUser,               graph_rejected,            true,  false" })
    void shouldMapGraphErrorsToOutboxCodes(int status, String graphCode, String code, boolean permanent,
            boolean ambiguous) {
        GraphFailure failure = GraphErrors.answer(status, graphCode, "Graph's words", Duration.ofSeconds(3), true);

        assertThat(failure.code()).isEqualTo(code);
        assertThat(GraphErrors.CODES).contains(code);
        assertThat(failure.permanent()).isEqualTo(permanent);
        assertThat(failure.ambiguous()).isEqualTo(ambiguous);
        assertThat(failure.getMessage()).contains("HTTP " + status).contains("Graph's words");
        if (graphCode != null) {
            assertThat(failure.getMessage()).contains(graphCode);
        }
    }

    @ParameterizedTest
    @CsvSource({ "429", "503" })
    void shouldCarryRetryAfterOfThrottlingAndOutages(int status) {
        assertThat(GraphErrors.answer(status, null, null, Duration.ofSeconds(7), false).retryAfter())
                .contains(Duration.ofSeconds(7));
    }

    @ParameterizedTest
    @CsvSource({ "true, graph_connection_lost, true", "false, graph_unreachable, false" })
    void shouldTreatALostConnectionDuringASubmissionAsAmbiguous(boolean submission, String code, boolean ambiguous) {
        GraphFailure failure = GraphErrors.noAnswer("Connection reset", submission);

        assertThat(failure.code()).isEqualTo(code);
        assertThat(failure.ambiguous()).isEqualTo(ambiguous);
        assertThat(failure.permanent()).isFalse();
    }
}
