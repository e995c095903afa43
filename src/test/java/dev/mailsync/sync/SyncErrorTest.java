package dev.mailsync.sync;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;

import org.junit.jupiter.api.Test;

/** The sync error codes are part of the API, the database and the metrics: their spelling must not drift. */
class SyncErrorTest {

    @Test
    void shouldKeepTheWireSpellingOfEveryCode() {
        assertThat(Arrays.stream(SyncError.values()).map(SyncError::code)).containsExactly("reauth_required",
                "token_unavailable", "imap_auth_failed", "imap_error", "internal_error", "imap_throttled", "imap_busy");
    }

    @Test
    void shouldReadStoredCodesBackAndIgnoreUnknownOnes() {
        for (SyncError e : SyncError.values()) {
            assertThat(SyncError.fromCode(e.code())).contains(e);
        }
        assertThat(SyncError.fromCode("IMAP_ERROR")).isEmpty();
        assertThat(SyncError.fromCode(null)).isEmpty();
    }

    @Test
    void shouldCountEveryPassOutcomeFromStartUp() {
        assertThat(SyncMetrics.PASS_OUTCOMES).containsExactly("success", "lease_lost", "released", "reauth_required",
                "token_unavailable", "imap_auth_failed", "imap_error", "internal_error", "imap_throttled", "imap_busy");
    }
}
