package dev.mailsync.message;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.mail.Flags;
import jakarta.mail.MessagingException;

import org.eclipse.angus.mail.imap.IMAPMessage;

import dev.mailsync.common.problem.ProblemCode;
import dev.mailsync.common.problem.ProblemException;
import dev.mailsync.imap.ImapBusy;
import dev.mailsync.imap.ImapSessionPool;
import dev.mailsync.imap.ImapThrottled;
import dev.mailsync.imap.ThrottleReplies;
import dev.mailsync.imap.ImapSession;
import dev.mailsync.imap.SpecialFolders;
import dev.mailsync.message.MessageQueries.Location;
import dev.mailsync.oauth.ReauthorizationRequired;
import dev.mailsync.oauth.TokenUnavailable;
import io.quarkus.logging.Log;
import io.quarkus.narayana.jta.QuarkusTransaction;

/**
 * What the API changes on the server: flags, moves and deletes, of one message or many in one IMAP session (downloads
 * are {@link MessageDownloads}). Writes go to the IMAP server first and then to the store, so the next sync pass
 * agrees with them.
 */
@ApplicationScoped
public class MessageOperations {

    private final ImapSessionPool sessions;
    private final MessageQueries queries;
    private final MessageStore store;
    private final FolderRepository folders;

    public MessageOperations(ImapSessionPool sessions, MessageQueries queries, MessageStore store,
            FolderRepository folders) {
        this.sessions = sessions;
        this.queries = queries;
        this.store = store;
        this.folders = folders;
    }

    /** A change to messages: flags, a move to another folder of the mailbox, or deletion for good. */
    public sealed interface Change permits SetFlags, MoveTo, Expunge {
    }

    /** Flags to set or clear; null leaves a flag as it is. */
    public record SetFlags(Boolean seen, Boolean flagged, Boolean answered) implements Change {
    }

    public record MoveTo(long folderId, String folder, boolean synced) implements Change {
    }

    public record Expunge() implements Change {
    }

    /** Sets \Seen and/or \Flagged (null: unchanged) on the server, then in the store. */
    public void setFlags(UUID mailboxId, long messageId, Boolean seen, Boolean flagged) {
        one(mailboxId, messageId, new SetFlags(seen, flagged, null));
    }

    /** Sets \Answered (a reply to it was sent): on the server, then in the store. */
    public void markAnswered(UUID mailboxId, long messageId) {
        one(mailboxId, messageId, new SetFlags(null, null, true));
    }

    /** Moves the message to another folder of the mailbox. */
    public void move(UUID mailboxId, long messageId, String targetName) {
        one(mailboxId, messageId, moveTo(mailboxId, targetName));
    }

    /** Moves the message to the Deleted Items / Trash folder, or with {@code permanent} expunges it. */
    public void delete(UUID mailboxId, long messageId, boolean permanent) {
        Map<Long, ProblemException> outcome = delete(mailboxId, List.of(messageId), permanent);
        if (outcome.get(messageId) != null) {
            throw outcome.get(messageId);
        }
    }

    /** The move target by name: 404 when the mailbox has no such folder. */
    public MoveTo moveTo(UUID mailboxId, String targetName) {
        Folder target = folders.findByName(mailboxId, targetName).orElseThrow(() -> ProblemException.notFound("Folder " + targetName));
        return new MoveTo(target.id, target.name, target.sync);
    }

    /**
     * Moves messages to the Deleted Items / Trash folder, or with {@code permanent} expunges them; a message already
     * in the trash (or a mailbox without one) needs {@code permanent}.
     */
    public Map<Long, ProblemException> delete(UUID mailboxId, Collection<Long> messageIds, boolean permanent) {
        if (permanent) {
            return apply(mailboxId, messageIds, new Expunge());
        }
        Optional<Folder> trash = folders.findBySpecialUse(mailboxId, SpecialFolders.TRASH);
        Map<Long, Location> locations = queries.locations(mailboxId, messageIds);
        Map<Long, ProblemException> outcome = new LinkedHashMap<>();
        List<Long> toTrash = new ArrayList<>();
        for (long id : messageIds) {
            Location location = locations.get(id);
            if (location == null) {
                outcome.put(id, ProblemException.notFound("Message " + id));
            } else if (trash.isEmpty() || trash.get().id == location.folderId()) {
                outcome.put(id, new ProblemException(ProblemCode.NO_TRASH_FOLDER, "This mailbox has "
                        + "no Deleted Items / Trash folder (or the message is in it): delete it permanently"
                        + " (permanent=true)"));
            } else {
                toTrash.add(id);
            }
        }
        if (!toTrash.isEmpty()) { // then there is a trash folder
            Folder t = trash.get();
            outcome.putAll(apply(mailboxId, toTrash, new MoveTo(t.id, t.name, t.sync)));
        }
        return outcome;
    }

    /** One batch action on messages of the mailbox; {@code folder} is the target of a move. */
    public Map<Long, ProblemException> apply(UUID mailboxId, Collection<Long> messageIds, BatchAction action,
            String folder) {
        return switch (action) {
            case MARK_READ -> apply(mailboxId, messageIds, new SetFlags(true, null, null));
            case MARK_UNREAD -> apply(mailboxId, messageIds, new SetFlags(false, null, null));
            case FLAG -> apply(mailboxId, messageIds, new SetFlags(null, true, null));
            case UNFLAG -> apply(mailboxId, messageIds, new SetFlags(null, false, null));
            case MOVE -> apply(mailboxId, messageIds, moveTo(mailboxId, folder));
            case DELETE -> delete(mailboxId, messageIds, false);
            case DELETE_PERMANENTLY -> delete(mailboxId, messageIds, true);
        };
    }

    /**
     * Applies one change to messages of the mailbox in one IMAP session, with one command per folder for the
     * messages it holds (UID sets); then records what was done in the store.
     *
     * @return every message's outcome: null when done, else the problem (not found, changed on the server, refused)
     * @throws ProblemException when nothing could be done: the mailbox must be reconnected (409), no access token
     *         (503), the server cannot be reached (502)
     */
    public Map<Long, ProblemException> apply(UUID mailboxId, Collection<Long> messageIds, Change change) {
        Map<Long, ProblemException> outcome = new LinkedHashMap<>();
        Map<Long, Location> locations = queries.locations(mailboxId, messageIds);
        Map<String, List<Location>> byFolder = new LinkedHashMap<>();
        for (long id : messageIds) {
            Location location = locations.get(id);
            if (location == null) {
                outcome.put(id, ProblemException.notFound("Message " + id));
            } else if (change instanceof MoveTo move && move.folderId() == location.folderId()) {
                outcome.put(id, null); // already there
            } else {
                byFolder.computeIfAbsent(location.folderId() + "/" + location.uidValidity(), k -> new ArrayList<>())
                        .add(location);
            }
        }
        if (byFolder.isEmpty()) {
            return outcome;
        }
        Map<Long, Long> movedTo = new LinkedHashMap<>();
        long[] targetUidValidity = { 0 };
        List<Location> done = new ArrayList<>();
        onServer(mailboxId, "change the messages", session -> {
            if (change instanceof MoveTo move && move.synced()) {
                // asked while no folder is open: with one open, Angus would log in again for this STATUS
                targetUidValidity[0] = session.uidValidity(move.folder());
            }
            boolean connected = true;
            for (List<Location> group : byFolder.values()) {
                if (!connected) {
                    group.forEach(l -> outcome.put(l.id(), refused("the connection broke")));
                    continue;
                }
                try {
                    done.addAll(applyInFolder(session, group, change, outcome, movedTo));
                } catch (MessagingException | IllegalStateException e) {
                    // IllegalStateException: Angus on a connection that just closed
                    if (done.isEmpty() && session.writesSent() == 0 && ImapSession.connectionLost(e)
                            || ThrottleReplies.backoff(e).isPresent()) {
                        throw e; // a session that broke before any change may be replaced; throttling stops all
                    }
                    Log.warnf("IMAP refused to change %d messages in %s: %s", group.size(), group.get(0).folder(),
                            e.getMessage());
                    group.forEach(l -> outcome.put(l.id(), refused(e.getMessage())));
                    connected = session.isConnected();
                }
            }
            return null;
        });
        record(change, done, movedTo, targetUidValidity[0]);
        done.forEach(l -> outcome.put(l.id(), null));
        return outcome;
    }

    /** The messages of one folder: those still on the server are changed with one command, the rest reported. */
    private static List<Location> applyInFolder(ImapSession session, List<Location> group, Change change,
            Map<Long, ProblemException> outcome, Map<Long, Long> movedTo) throws MessagingException {
        Location first = group.get(0);
        Map<Long, Location> byUid = new LinkedHashMap<>();
        group.forEach(l -> byUid.put(l.uid(), l));
        Optional<Map<Long, IMAPMessage>> found = session.messages(first.folder(), first.uidValidity(), byUid.keySet(),
                true);
        List<Location> present = new ArrayList<>();
        List<IMAPMessage> messages = new ArrayList<>();
        for (Location l : group) {
            IMAPMessage m = found.map(f -> f.get(l.uid())).orElse(null);
            if (m == null) {
                outcome.put(l.id(), gone("The message changed on the server; it is updated at the next sync"));
            } else {
                present.add(l);
                messages.add(m);
            }
        }
        if (present.isEmpty()) {
            return present;
        }
        Set<Long> uids = new HashSet<>();
        present.forEach(l -> uids.add(l.uid()));
        if (change instanceof SetFlags flags) {
            store(session, uids, Flags.Flag.SEEN, flags.seen());
            store(session, uids, Flags.Flag.FLAGGED, flags.flagged());
            store(session, uids, Flags.Flag.ANSWERED, flags.answered());
        } else if (change instanceof MoveTo move) {
            session.move(messages, move.folder()).forEach((uid, newUid) -> movedTo.put(byUid.get(uid).id(), newUid));
        } else {
            session.expunge(messages);
        }
        return present;
    }

    private static void store(ImapSession session, Set<Long> uids, Flags.Flag flag, Boolean set)
            throws MessagingException {
        if (set != null) {
            session.store(uids, flag, set);
        }
    }

    /**
     * The store follows the server for what was done, in one transaction. Should that fail, the server has the
     * change all the same and the next sync pass brings it into the store: the messages count as done.
     */
    private void record(Change change, List<Location> done, Map<Long, Long> movedTo, long targetUidValidity) {
        if (done.isEmpty()) {
            return;
        }
        try {
            inStore(() -> {
                Set<Long> folders = new HashSet<>();
                for (Location l : done) {
                    folders.add(l.folderId());
                    recordOne(change, l, movedTo.get(l.id()), targetUidValidity);
                }
                if (change instanceof MoveTo move) {
                    folders.add(move.folderId());
                }
                if (!(change instanceof SetFlags)) {
                    for (long folder : folders) {
                        store.recount(folder);
                    }
                }
            });
        } catch (RuntimeException e) {
            Log.warnf("Changed %d messages on the server, but not in the store (the next sync does): %s",
                    done.size(), e.getMessage());
        }
    }

    private void recordOne(Change change, Location l, Long newUid, long targetUidValidity) {
        if (change instanceof SetFlags flags) {
            if (flags.seen() != null || flags.flagged() != null) {
                store.setFlags(l.id(), flags.seen(), flags.flagged());
            }
            if (Boolean.TRUE.equals(flags.answered())) {
                store.setAnswered(l.id());
            }
        } else if (change instanceof MoveTo move && newUid != null && move.synced() && targetUidValidity != 0) {
            store.relocate(l.id(), move.folderId(), targetUidValidity, newUid);
        } else {
            // expunged; or moved where the server did not say (no UIDPLUS), or to a folder that is not synced: the
            // next pass of the target folder brings it back
            store.deleteById(l.id());
        }
    }

    private void one(UUID mailboxId, long messageId, Change change) {
        ProblemException failed = apply(mailboxId, List.of(messageId), change).get(messageId);
        if (failed != null) {
            throw failed;
        }
    }

    static ProblemException gone(String detail) {
        return new ProblemException(ProblemCode.MESSAGE_CHANGED, detail);
    }

    private static ProblemException refused(String why) {
        return new ProblemException(ProblemCode.IMAP_REFUSED, "The mail server could not change the message: " + why);
    }

    /** Writes on a pooled session: done again on a fresh one only when a reused one broke before any change. */
    private <T> T onServer(UUID mailboxId, String what, ImapSessionPool.Work<T> work) {
        try {
            return sessions.run(mailboxId, false, work);
        } catch (MessagingException | IOException | RuntimeException e) {
            throw problem(e, what);
        }
    }

    /** A failure of work on the server as the API answers it. */
    static RuntimeException problem(Exception e, String what) {
        if (e instanceof ProblemException problem) {
            return problem;
        }
        if (e instanceof ReauthorizationRequired) {
            return new ProblemException(ProblemCode.REAUTH_REQUIRED,
                    "Microsoft no longer accepts this mailbox's sign-in: the user must connect it again");
        }
        if (e instanceof TokenUnavailable) {
            return new ProblemException(ProblemCode.TOKEN_UNAVAILABLE,
                    "No access token could be obtained right now; try again shortly");
        }
        if (e instanceof ImapThrottled throttled) {
            return ProblemException.retryAfter(ProblemCode.IMAP_THROTTLED, "The mail server throttles this mailbox "
                    + "until " + throttled.until() + "; try again after Retry-After", throttled.retryAfter());
        }
        if (e instanceof ImapBusy busy) {
            return ProblemException.retryAfter(ProblemCode.IMAP_BUSY, "All IMAP connections of this mailbox are in "
                    + "use; try again shortly", busy.retryAfter());
        }
        if (e instanceof RuntimeException runtime) {
            return runtime;
        }
        Log.warnf("IMAP refused to %s: %s", what, e.getMessage());
        return new ProblemException(ProblemCode.IMAP_REFUSED,
                "The mail server could not " + what + ": " + e.getMessage());
    }

    private static void inStore(StoreWork work) {
        QuarkusTransaction.requiringNew().call(() -> {
            work.run();
            return null;
        });
    }

    private interface StoreWork {
        void run();
    }
}
