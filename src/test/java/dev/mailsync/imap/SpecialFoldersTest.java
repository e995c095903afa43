package dev.mailsync.imap;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.mailsync.sync.SyncConfig;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;

/** Which folder is Sent, Trash and the like, without a server. */
class SpecialFoldersTest {

    private final SpecialFolders special = new SpecialFolders(List.of("Sent Items", "Gesendet"));

    @Test
    void shouldTakeTheServersSpecialUseElseTheWellKnownName() {
        assertThat(special.specialUse(folder("Papierkorb", "\\Trash"))).isEqualTo(SpecialFolders.TRASH);
        assertThat(special.specialUse(folder("Deleted Items", null))).isEqualTo(SpecialFolders.TRASH);
        assertThat(special.specialUse(folder("SENT ITEMS", null))).isEqualTo(SpecialFolders.SENT);
        assertThat(special.specialUse(folder("Junk Email", null))).isEqualTo("\\Junk");
        assertThat(special.specialUse(folder("Projects", null))).isNull();
    }

    @Test
    void shouldFindTheSentFolderByItsSpecialUseFirst() {
        List<RemoteFolder> folders = List.of(folder("INBOX", null), folder("Sent Items", null),
                folder("Envoyés", "\\Sent"));

        assertThat(special.sent(folders)).contains("Envoyés");
    }

    @Test
    void shouldFindTheSentFolderByTheConfiguredNamesInTheirOrder() {
        List<RemoteFolder> folders = List.of(folder("INBOX", null), folder("gesendet", null),
                folder("sent items", null));

        assertThat(special.sent(folders)).contains("sent items");
        assertThat(special.sent(List.of(folder("INBOX", null), folder("Outbox", null)))).isEmpty();
    }

    @Test
    void shouldSyncInboxAndTheSentFolderByDefault() {
        List<RemoteFolder> unmarked = List.of(folder("INBOX", null), folder("Sent Items", null),
                folder("Drafts", null));
        assertThat(unmarked).filteredOn(f -> special.syncByDefault(f, unmarked)).extracting(RemoteFolder::name)
                .containsExactly("INBOX", "Sent Items");

        List<RemoteFolder> marked = List.of(folder("inbox", null), folder("Sent Items", null),
                folder("Sent", "\\Sent"));
        assertThat(marked).filteredOn(f -> special.syncByDefault(f, marked)).extracting(RemoteFolder::name)
                .containsExactly("inbox", "Sent");
    }

    /** The key stays {@code mailsync.sync.sent-folder-names}, beside the sync settings of the same prefix. */
    @Test
    void shouldReadTheSentNamesFromTheirKeyBesideTheSyncSettings() {
        SmallRyeConfig config = new SmallRyeConfigBuilder().addDiscoveredConverters()
                .withMapping(SpecialFolders.Config.class).withMapping(SyncConfig.class)
                .withSources(new PropertiesConfigSource(Map.of("mailsync.sync.sent-folder-names", "Verzonden items,Sent",
                        "mailsync.sync.interval", "5m"), "test", 500))
                .build();

        assertThat(config.getConfigMapping(SpecialFolders.Config.class).sentFolderNames())
                .containsExactly("Verzonden items", "Sent");
        assertThat(config.getConfigMapping(SyncConfig.class).interval()).isEqualTo(Duration.ofMinutes(5));
    }

    private static RemoteFolder folder(String name, String specialUse) {
        return new RemoteFolder(name, "/", specialUse, true);
    }
}
