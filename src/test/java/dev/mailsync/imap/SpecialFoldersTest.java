package dev.mailsync.imap;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

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

    private static RemoteFolder folder(String name, String specialUse) {
        return new RemoteFolder(name, "/", specialUse, true);
    }
}
