package dev.mailsync.oauth;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** What the callback page and the log say when Microsoft sends the browser back with an error. */
class ConnectServiceTest {

    @Test
    void shouldTellADeclinedConsentFromOtherErrors() {
        ConnectFailure declined = ConnectService.declined("access_denied");
        assertThat(declined.code()).isEqualTo("access_denied");
        assertThat(declined.getMessage()).isEqualTo("The permission request was declined at Microsoft.");

        ConnectFailure other = ConnectService.declined("consent_required");
        assertThat(other.code()).isEqualTo("authorization_failed");
        assertThat(other.getMessage()).isEqualTo("Microsoft did not authorize the connection (consent_required).");
    }

    @Test
    void shouldNotRepeatAnErrorThatIsNotAPlainOAuthCode() {
        for (String error : new String[] { "<script>alert(1)</script>", "Access_Denied", "a".repeat(51), "",
                "invalid_request\r\nSet-Cookie: x=1" }) {
            assertThat(ConnectService.reportable(error)).as(error).isEqualTo("unknown error");
            assertThat(ConnectService.declined(error).getMessage()).as(error)
                    .isEqualTo("Microsoft did not authorize the connection (unknown error).");
        }
        assertThat(ConnectService.reportable("server_error")).isEqualTo("server_error");
    }
}
