package dev.mailsync.message;

import java.time.Instant;

/** The filters of a message list; nulls mean "any". */
public record MessageFilter(String folder, Boolean unread, Boolean flagged, Boolean hasAttachments, String from,
        String to, Instant since, Instant before, String query) {
}
