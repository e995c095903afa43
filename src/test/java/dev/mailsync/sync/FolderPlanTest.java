package dev.mailsync.sync;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.mailsync.imap.RemoteFolder;
import dev.mailsync.imap.SpecialFolders;

/** The folder-list diff, without a server or a database. */
class FolderPlanTest {

    private static final Instant NOW = Instant.parse("2026-06-01T12:00:00Z");
    private static final Duration PURGE_AFTER = Duration.ofHours(24);
    private static final SpecialFolders SPECIAL = new SpecialFolders(List.of("Sent Items"));

    @Test
    void shouldSyncInboxAndSentByDefaultInboxFirst() {
        List<RemoteFolder> remote = List.of(folder("Archive", null), folder("Sent Items", null), folder("INBOX", null),
                folder("Notes", null));

        FolderPlan plan = FolderPlan.diff(List.of(), remote, SPECIAL, PURGE_AFTER, NOW);

        assertThat(plan.listed()).extracting(FolderPlan.Listed::known).containsOnly(false);
        assertThat(plan.toSync()).extracting(FolderPlan.Listed::name).containsExactly("INBOX", "Sent Items");
        assertThat(plan.listed()).extracting(FolderPlan.Listed::specialUse).containsExactly("\\Archive", "\\Sent",
                null, null);
    }

    @Test
    void shouldKeepTheStoredSyncChoiceOfKnownFolders() {
        List<FolderPlan.Known> known = List.of(new FolderPlan.Known("INBOX", false, null),
                new FolderPlan.Known("Notes", true, null));

        FolderPlan plan = FolderPlan.diff(known, List.of(folder("INBOX", null), folder("Notes", null)), SPECIAL,
                PURGE_AFTER, NOW);

        assertThat(plan.toSync()).extracting(FolderPlan.Listed::name).containsExactly("Notes");
        assertThat(plan.listed()).extracting(FolderPlan.Listed::known).containsOnly(true);
    }

    @Test
    void shouldMarkMissingFoldersGoneAndPurgeThemOnlyAfterTheDelay() {
        List<FolderPlan.Known> known = List.of(new FolderPlan.Known("INBOX", true, null),
                new FolderPlan.Known("Vanished", true, null),
                new FolderPlan.Known("Gone a while", true, NOW.minus(Duration.ofHours(1))),
                new FolderPlan.Known("Gone for good", true, NOW.minus(PURGE_AFTER)),
                new FolderPlan.Known("Back", true, NOW.minus(Duration.ofDays(3))));

        FolderPlan plan = FolderPlan.diff(known, List.of(folder("INBOX", null), folder("Back", null)), SPECIAL,
                PURGE_AFTER, NOW);

        assertThat(plan.missing()).containsExactly("Vanished");
        assertThat(plan.purge()).containsExactly("Gone for good");
        assertThat(plan.back()).containsExactly("Back");
        assertThat(plan.toSync()).extracting(FolderPlan.Listed::name).containsExactly("INBOX", "Back");
    }

    @Test
    void shouldLeaveOutUnselectableAndUnstorableFolders() {
        String tooLong = "x".repeat(FolderPlan.MAX_NAME + 1);
        List<RemoteFolder> remote = List.of(folder("INBOX", null), new RemoteFolder("[Gmail]", "/", null, false),
                folder("bad\u0000name", null), folder(tooLong, null), folder("", null));

        FolderPlan plan = FolderPlan.diff(List.of(new FolderPlan.Known("[Gmail]", false, null)), remote, SPECIAL,
                PURGE_AFTER, NOW);

        assertThat(plan.listed()).extracting(FolderPlan.Listed::name).containsExactly("INBOX");
        assertThat(plan.unstorable()).containsExactly("bad\u0000name", tooLong, "");
        // an unselectable folder is not listed, so a stored one of that name counts as missing
        assertThat(plan.missing()).containsExactly("[Gmail]");
    }

    @Test
    void shouldPreferTheServersSpecialUseToNames() {
        List<RemoteFolder> remote = List.of(folder("INBOX", null), folder("Sent Items", null),
                folder("Gesendet", "\\Sent"));

        FolderPlan plan = FolderPlan.diff(List.of(), remote, SPECIAL, PURGE_AFTER, NOW);

        assertThat(plan.toSync()).extracting(FolderPlan.Listed::name).containsExactly("INBOX", "Gesendet");
    }

    private static RemoteFolder folder(String name, String specialUse) {
        return new RemoteFolder(name, "/", specialUse, true);
    }
}
