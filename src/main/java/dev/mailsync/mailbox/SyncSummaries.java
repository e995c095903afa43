package dev.mailsync.mailbox;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** The sync feature's summary of each mailbox, for the mailbox list (implemented by the sync package). */
public interface SyncSummaries {

    Map<UUID, Summary> summaries(List<UUID> mailboxIds);

    /** State ({@code idle}, {@code queued}, {@code syncing}, {@code error}, {@code reauth_required}), last success, last error code. */
    @Schema(name = "SyncSummary")
    record Summary(String state, Instant lastSuccessAt, String lastErrorCode) {
    }
}
