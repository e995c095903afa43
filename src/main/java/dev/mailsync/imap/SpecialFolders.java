package dev.mailsync.imap;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * The one place that decides which folder is the Sent folder, the Trash and the other special folders: the
 * server's SPECIAL-USE attribute (RFC 6154) when it marks one, else a well-known (Outlook) name; for Sent, the
 * names in {@code mailsync.sync.sent-folder-names}. Sync uses it to pick the folders synced by default, sending
 * to file and find sent mail, message operations to find the Trash.
 */
@ApplicationScoped
public class SpecialFolders {

    public static final String SENT = "\\Sent";
    public static final String TRASH = "\\Trash";
    /** The SPECIAL-USE attributes a folder of the LIST answer is recognised by. */
    static final List<String> USES = List.of(SENT, TRASH, "\\Drafts", "\\Junk", "\\Archive", "\\All", "\\Flagged");

    private static final Map<String, String> WELL_KNOWN = Map.of(
            "sent items", SENT, "sent", SENT, "deleted items", TRASH, "trash", TRASH,
            "drafts", "\\Drafts", "junk email", "\\Junk", "junk", "\\Junk", "archive", "\\Archive");

    private final List<String> sentNames;

    @Inject
    public SpecialFolders(Config config) {
        this(config.sentFolderNames());
    }

    /** @param sentNames names that mark the Sent folder when the server marks none */
    public SpecialFolders(List<String> sentNames) {
        this.sentNames = List.copyOf(sentNames);
    }

    /** The SPECIAL-USE a folder has, or the one its well-known (Outlook) name implies. */
    public String specialUse(RemoteFolder folder) {
        if (folder.specialUse() != null) {
            return folder.specialUse();
        }
        return WELL_KNOWN.get(folder.name().toLowerCase(Locale.ROOT));
    }

    /** The Sent folder: SPECIAL-USE {@code \Sent}, else the first of the Sent names the server has. */
    public Optional<String> sent(List<RemoteFolder> folders) {
        return folders.stream().filter(f -> SENT.equals(f.specialUse())).map(RemoteFolder::name).findFirst()
                .or(() -> sentNames.stream().flatMap(n -> folders.stream().filter(f -> f.name().equalsIgnoreCase(n)))
                        .map(RemoteFolder::name).findFirst());
    }

    /**
     * Whether a newly seen folder is synced unless the user chooses otherwise: INBOX and the Sent folder (the one
     * the server marks {@code \Sent}; when it marks none, any folder with one of the Sent names).
     */
    public boolean syncByDefault(RemoteFolder folder, List<RemoteFolder> all) {
        if (folder.name().equalsIgnoreCase("INBOX")) {
            return true;
        }
        boolean serverMarksSent = all.stream().anyMatch(f -> SENT.equals(f.specialUse()));
        if (serverMarksSent) {
            return SENT.equals(folder.specialUse());
        }
        return sentNames.stream().anyMatch(name -> name.equalsIgnoreCase(folder.name()));
    }

    /** Special folders (prefix {@code mailsync.sync}, beside the sync settings, where this key has always been). */
    @ConfigMapping(prefix = "mailsync.sync")
    public interface Config {

        /** Names that mark the Sent folder when the server offers no SPECIAL-USE {@code \Sent}. */
        @WithDefault("Sent Items,Sent,Sent Messages,Sent Mail,Gesendete Elemente,Gesendet,Éléments envoyés,Skickat")
        List<String> sentFolderNames();
    }
}
