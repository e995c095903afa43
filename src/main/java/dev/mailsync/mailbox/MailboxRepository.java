package dev.mailsync.mailbox;

import java.util.List;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.hibernate.orm.panache.PanacheRepositoryBase;

@ApplicationScoped
public class MailboxRepository implements PanacheRepositoryBase<Mailbox, UUID> {

    /** The user's mailbox with this id; another user's mailbox is as absent as an unknown one. */
    public Optional<Mailbox> findOwned(UUID id, String userId) {
        return find("id = ?1 and userId = ?2", id, userId).firstResultOptional();
    }

    public List<Mailbox> listOwned(String userId) {
        return list("userId = ?1 order by createdAt, id", userId);
    }

    public Optional<Mailbox> findByAddress(String userId, String provider, String address) {
        return find("userId = ?1 and provider = ?2 and address = ?3", userId, provider, address)
                .firstResultOptional();
    }
}
