package dev.mailsync.message;

import java.util.ArrayList;
import java.util.List;

import jakarta.mail.Flags;

/** IMAP flags of a message: the system flags we show, plus keywords. */
public record MessageFlags(boolean seen, boolean flagged, boolean answered, boolean draft, boolean deleted,
        List<String> keywords) {

    public static MessageFlags of(Flags flags) {
        List<String> keywords = new ArrayList<>(List.of(flags.getUserFlags()));
        keywords.sort(null);
        return new MessageFlags(flags.contains(Flags.Flag.SEEN), flags.contains(Flags.Flag.FLAGGED),
                flags.contains(Flags.Flag.ANSWERED), flags.contains(Flags.Flag.DRAFT),
                flags.contains(Flags.Flag.DELETED), List.copyOf(keywords));
    }
}
