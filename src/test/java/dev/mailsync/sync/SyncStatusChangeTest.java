package dev.mailsync.sync;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** When the end of a pass is news for the change feed (mailbox.sync) and when it is not. */
class SyncStatusChangeTest {

    @Test
    void shouldTellTheFirstSyncAndErrorsThatAppearChangeOrClear() {
        assertThat(SyncLeases.statusChange(true, null, null)).hasValueSatisfying(data -> assertThat(data)
                .containsEntry("status", "ok").containsEntry("firstSync", true));
        assertThat(SyncLeases.statusChange(false, null, "imap_auth_failed")).hasValueSatisfying(data -> assertThat(
                data).containsEntry("status", "error").containsEntry("error", "imap_auth_failed"));
        assertThat(SyncLeases.statusChange(false, "imap_auth_failed", "imap_unreachable")).isPresent();
        assertThat(SyncLeases.statusChange(false, "imap_unreachable", null)).hasValueSatisfying(data -> assertThat(
                data).containsEntry("status", "ok").doesNotContainKey("firstSync"));
    }

    @Test
    void shouldStayQuietWhenAPassEndsAsTheOneBefore() {
        assertThat(SyncLeases.statusChange(false, null, null)).isEmpty();
        assertThat(SyncLeases.statusChange(false, "imap_unreachable", "imap_unreachable")).isEmpty();
        assertThat(SyncLeases.statusChange(true, "imap_unreachable", "imap_unreachable")).isEmpty();
    }
}
