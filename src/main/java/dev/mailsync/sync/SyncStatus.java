package dev.mailsync.sync;

import java.time.Instant;
import java.util.List;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * What a polling frontend sees of a mailbox's sync. {@code changeState}: the mailbox's change-feed state (as
 * {@code state} of the messages list; here {@code state} is the sync's), read before the rest, for
 * {@code GET .../changes?since=}.
 */
public record SyncStatus(String state, Instant lastStartedAt, Instant lastFinishedAt, Instant lastSuccessAt,
        Instant nextRunAt, @JsonInclude(JsonInclude.Include.ALWAYS) Error lastError,
        @JsonInclude(JsonInclude.Include.ALWAYS) Progress progress, List<FolderCount> folders, String changeState) {

    /** Why the last pass failed: a stable code and a sentence (never a secret). */
    @Schema(name = "SyncError")
    public record Error(String code, String message) {
    }

    /** A running pass: the folder it is in and how many of its new messages are stored. */
    @Schema(name = "SyncProgress")
    public record Progress(String folder, int done, int total) {
    }

    public record FolderCount(String name, int messages) {
    }
}
