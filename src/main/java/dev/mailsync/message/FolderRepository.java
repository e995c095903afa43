package dev.mailsync.message;

import java.util.List;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.hibernate.orm.panache.PanacheRepositoryBase;
import io.quarkus.panache.common.Sort;

/** The stored folders of a mailbox, including those marked gone from the server (see {@code FolderList}). */
@ApplicationScoped
public class FolderRepository implements PanacheRepositoryBase<Folder, Long> {

    /** Every stored folder of the mailbox, gone ones too. */
    public List<Folder> listAll(UUID mailboxId) {
        return list("mailboxId", mailboxId);
    }

    /** The folders the server still lists, by name. */
    public List<Folder> listPresent(UUID mailboxId) {
        return list("mailboxId = ?1 and goneSince is null", Sort.by("name"), mailboxId);
    }

    public Optional<Folder> findByName(UUID mailboxId, String name) {
        return find("mailboxId = ?1 and name = ?2", mailboxId, name).firstResultOptional();
    }

    public Optional<Folder> findPresentByName(UUID mailboxId, String name) {
        return find("mailboxId = ?1 and name = ?2 and goneSince is null", mailboxId, name).firstResultOptional();
    }

    /** The folder with this special use ({@code \Trash}, {@code \Sent}). */
    public Optional<Folder> findBySpecialUse(UUID mailboxId, String specialUse) {
        return find("mailboxId = ?1 and specialUse = ?2", mailboxId, specialUse).firstResultOptional();
    }
}
