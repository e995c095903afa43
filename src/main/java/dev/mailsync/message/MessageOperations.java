package dev.mailsync.message;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.SQLException;
import java.util.OptionalLong;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.mail.Flags;
import jakarta.mail.MessagingException;
import jakarta.mail.Part;

import org.eclipse.angus.mail.imap.IMAPMessage;

import dev.mailsync.common.problem.ProblemException;
import dev.mailsync.imap.ImapConnector;
import dev.mailsync.imap.ImapSession;
import dev.mailsync.message.MessageQueries.Location;
import dev.mailsync.oauth.ReauthorizationRequired;
import dev.mailsync.oauth.TokenUnavailable;
import io.quarkus.logging.Log;
import io.quarkus.narayana.jta.QuarkusTransaction;

/**
 * What the API does on the server: attachment and raw message downloads, flag changes, moves and deletes. Writes
 * go to the IMAP server first and then to the store, so the next sync pass agrees with them.
 */
@ApplicationScoped
public class MessageOperations {

    private final ImapConnector imap;
    private final MessageQueries queries;
    private final MessageStore store;

    public MessageOperations(ImapConnector imap, MessageQueries queries, MessageStore store) {
        this.imap = imap;
        this.queries = queries;
        this.store = store;
    }

    /** An attachment's decoded content, fetched from the server into a temporary file (memory stays flat). */
    public Download attachment(UUID mailboxId, long messageId, int attachmentId) {
        Location location = locate(mailboxId, messageId);
        AttachmentInfo attachment = location.attachments().stream().filter(a -> a.id() == attachmentId).findFirst()
                .orElseThrow(() -> ProblemException.notFound("Attachment " + attachmentId));
        return onServer(mailboxId, "download the attachment", session -> {
            IMAPMessage message = find(session, location, false);
            Part part = ImapSession.part(message, attachment.part())
                    .orElseThrow(() -> gone("The attachment is no longer where the message had it"));
            Path file = Files.createTempFile("mailsync-attachment", ".bin");
            try (InputStream in = part.getInputStream()) {
                Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException | MessagingException | RuntimeException e) {
                Files.deleteIfExists(file);
                throw e;
            }
            return new Download(file, attachment.filename(), attachment.contentType());
        });
    }

    /** The whole message as the server has it ({@code message/rfc822}), streamed. */
    public void writeRaw(UUID mailboxId, long messageId, OutputStream out) {
        Location location = locate(mailboxId, messageId);
        onServer(mailboxId, "download the message", session -> {
            find(session, location, false).writeTo(out);
            return null;
        });
    }

    /** Sets \Seen and/or \Flagged (null: unchanged) on the server, then in the store. */
    public void setFlags(UUID mailboxId, long messageId, Boolean seen, Boolean flagged) {
        Location location = locate(mailboxId, messageId);
        onServer(mailboxId, "change the flags", session -> {
            IMAPMessage message = find(session, location, true);
            if (seen != null) {
                message.setFlag(Flags.Flag.SEEN, seen);
            }
            if (flagged != null) {
                message.setFlag(Flags.Flag.FLAGGED, flagged);
            }
            return null;
        });
        inStore(() -> store.setFlags(messageId, seen, flagged));
    }

    /** Sets \Answered (a reply to it was sent): on the server, then in the store. */
    public void markAnswered(UUID mailboxId, long messageId) {
        Location location = locate(mailboxId, messageId);
        onServer(mailboxId, "mark the message answered", session -> {
            find(session, location, true).setFlag(Flags.Flag.ANSWERED, true);
            return null;
        });
        inStore(() -> store.setAnswered(messageId));
    }

    /** Moves the message to another folder of the mailbox. */
    public void move(UUID mailboxId, long messageId, String targetName) {
        Location location = locate(mailboxId, messageId);
        Folder target = Folder.<Folder>find("mailboxId = ?1 and name = ?2", mailboxId, targetName)
                .firstResultOptional().orElseThrow(() -> ProblemException.notFound("Folder " + targetName));
        if (target.id == location.folderId()) {
            return;
        }
        moveTo(mailboxId, location, target);
    }

    /** Moves the message to the Deleted Items / Trash folder, or with {@code permanent} expunges it. */
    public void delete(UUID mailboxId, long messageId, boolean permanent) {
        Location location = locate(mailboxId, messageId);
        Folder trash = Folder.<Folder>find("mailboxId = ?1 and specialUse = ?2", mailboxId, "\\Trash")
                .firstResultOptional().orElse(null);
        if (!permanent && trash != null && trash.id != location.folderId()) {
            moveTo(mailboxId, location, trash);
            return;
        }
        if (!permanent) {
            throw new ProblemException(409, "no_trash_folder", "No trash folder",
                    "This mailbox has no Deleted Items / Trash folder (or the message is in it): use permanent=true");
        }
        onServer(mailboxId, "delete the message", session -> {
            session.expunge(find(session, location, true));
            return null;
        });
        inStore(() -> store.deleteById(messageId));
    }

    private void moveTo(UUID mailboxId, Location location, Folder target) {
        long[] moved = onServer(mailboxId, "move the message", session -> {
            OptionalLong uid = session.move(find(session, location, true), target.name);
            return uid.isPresent() ? new long[] { session.uidValidity(target.name), uid.getAsLong() } : null;
        });
        if (moved != null && target.sync) {
            inStore(() -> store.relocate(location.id(), target.id, moved[0], moved[1]));
        } else {
            // the server did not say where it went (no UIDPLUS), or the target is not synced: the next pass
            // of the target folder brings it back
            inStore(() -> store.deleteById(location.id()));
        }
        inStore(() -> {
            store.recount(location.folderId());
            store.recount(target.id);
        });
    }

    private Location locate(UUID mailboxId, long messageId) {
        return queries.location(mailboxId, messageId)
                .orElseThrow(() -> ProblemException.notFound("Message " + messageId));
    }

    private static IMAPMessage find(ImapSession session, Location location, boolean write) throws MessagingException {
        return session.message(location.folder(), location.uidValidity(), location.uid(), write)
                .orElseThrow(() -> gone("The message changed on the server; it is updated at the next sync"));
    }

    private static ProblemException gone(String detail) {
        return new ProblemException(409, "message_changed", "Message changed on the server", detail);
    }

    private <T> T onServer(UUID mailboxId, String what, ServerWork<T> work) {
        try (ImapSession session = imap.open(mailboxId)) {
            return work.run(session);
        } catch (ReauthorizationRequired e) {
            throw new ProblemException(409, "reauth_required", "Mailbox must be reconnected",
                    "Microsoft no longer accepts this mailbox's sign-in: the user must connect it again");
        } catch (TokenUnavailable e) {
            throw new ProblemException(503, "token_unavailable", "Mail server not reachable now",
                    "No access token could be obtained right now; try again shortly");
        } catch (MessagingException | IOException e) {
            Log.warnf("IMAP refused to %s: %s", what, e.getMessage());
            throw new ProblemException(502, "imap_refused", "The mail server refused",
                    "The mail server could not " + what + ": " + e.getMessage());
        }
    }

    private static void inStore(StoreWork work) {
        QuarkusTransaction.requiringNew().call(() -> {
            work.run();
            return null;
        });
    }

    private interface ServerWork<T> {
        T run(ImapSession session) throws MessagingException, IOException;
    }

    private interface StoreWork {
        void run() throws SQLException;
    }

    /** A downloaded attachment in a temporary file (the caller deletes it). */
    public record Download(Path file, String filename, String contentType) {
    }
}
