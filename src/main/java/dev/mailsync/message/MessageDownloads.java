package dev.mailsync.message;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.mail.MessagingException;
import jakarta.mail.Part;

import org.eclipse.angus.mail.imap.IMAPMessage;

import dev.mailsync.common.problem.ProblemException;
import dev.mailsync.imap.ImapSessionPool;
import dev.mailsync.imap.ImapSession;
import dev.mailsync.message.MessageQueries.Location;
import io.quarkus.logging.Log;

/**
 * Content fetched from the server on demand: attachment and raw message downloads, and the attachments a forward
 * carries. All of it is streamed in chunks of {@code mailsync.imap.fetch-size}: neither memory nor disk holds a
 * whole attachment (the pod's emptyDir is small, and so is the heap).
 */
@ApplicationScoped
public class MessageDownloads {

    private final ImapSessionPool sessions;
    private final MessageQueries queries;

    public MessageDownloads(ImapSessionPool sessions, MessageQueries queries) {
        this.sessions = sessions;
        this.queries = queries;
    }

    /**
     * An attachment's decoded content, about to be streamed from the server: the IMAP session stays open until the
     * content is written, fetching it in chunks of {@code mailsync.imap.fetch-size}, so neither memory nor disk
     * holds the attachment.
     */
    public Download attachment(UUID mailboxId, long messageId, int attachmentId) {
        Location location = locate(mailboxId, messageId);
        AttachmentInfo attachment = location.attachments().stream().filter(a -> a.id() == attachmentId).findFirst()
                .orElseThrow(() -> ProblemException.notFound("Attachment " + attachmentId));
        return download(mailboxId, "download the attachment", (session, lease) -> {
            Part part = ImapSession.part(find(session, location), attachment.part())
                    .orElseThrow(() -> gone("The attachment is no longer where the message had it"));
            return new Download(lease, out -> {
                try (InputStream in = part.getInputStream()) {
                    in.transferTo(out);
                }
            }, attachment.filename(), attachment.contentType());
        });
    }

    /** The whole message as the server has it ({@code message/rfc822}), about to be streamed. */
    public Download raw(UUID mailboxId, long messageId) {
        Location location = locate(mailboxId, messageId);
        return download(mailboxId, "download the message", (session, lease) -> {
            IMAPMessage message = find(session, location);
            return new Download(lease, message::writeTo, null, "message/rfc822");
        });
    }

    /**
     * The parts of a stored message's attachments, for a forward to stream from the server while it is composed;
     * the session is open while {@code work} runs.
     */
    public <T> T withAttachments(UUID mailboxId, long messageId, List<AttachmentInfo> attachments,
            AttachmentsWork<T> work) {
        Location location = locate(mailboxId, messageId);
        return onServer(mailboxId, "fetch the original's attachments", session -> {
            IMAPMessage message = find(session, location);
            List<Part> parts = new ArrayList<>();
            for (AttachmentInfo a : attachments) {
                parts.add(ImapSession.part(message, a.part())
                        .orElseThrow(() -> gone("An attachment is no longer where the message had it")));
            }
            return work.run(parts);
        });
    }

    private Location locate(UUID mailboxId, long messageId) {
        return queries.location(mailboxId, messageId)
                .orElseThrow(() -> ProblemException.notFound("Message " + messageId));
    }

    private static IMAPMessage find(ImapSession session, Location location) throws MessagingException {
        return session.message(location.folder(), location.uidValidity(), location.uid(), false)
                .orElseThrow(() -> gone("The message changed on the server; it is updated at the next sync"));
    }

    private static ProblemException gone(String detail) {
        return MessageOperations.gone(detail);
    }

    /** Reads on a pooled session (done again on a fresh one if a reused one turns out broken). */
    private <T> T onServer(UUID mailboxId, String what, ImapSessionPool.Work<T> work) {
        try {
            return sessions.run(mailboxId, true, work);
        } catch (MessagingException | IOException | RuntimeException e) {
            throw MessageOperations.problem(e, what);
        }
    }

    /** Like {@link #onServer}, but the session stays with the download (which gives it back) unless this fails. */
    private Download download(UUID mailboxId, String what, DownloadWork work) {
        try {
            return sessions.runLeased(mailboxId, true, lease -> {
                Download download = work.run(lease.session(), lease);
                lease.keep();
                return download;
            });
        } catch (MessagingException | IOException | RuntimeException e) {
            throw MessageOperations.problem(e, what);
        }
    }

    private interface DownloadWork {
        Download run(ImapSession session, ImapSessionPool.Lease lease) throws MessagingException, IOException;
    }

    /** Works with the parts of a message's attachments while the session is open. */
    public interface AttachmentsWork<T> {
        T run(List<Part> parts) throws MessagingException, IOException;
    }

    private interface Content {
        void writeTo(OutputStream out) throws MessagingException, IOException;
    }

    /** A download about to be streamed; writing it (or closing it) gives its IMAP session back to the pool. */
    public static final class Download implements AutoCloseable {

        private final ImapSessionPool.Lease lease;
        private final Content content;
        private final String filename;
        private final String contentType;

        Download(ImapSessionPool.Lease lease, Content content, String filename, String contentType) {
            this.lease = lease;
            this.content = content;
            this.filename = filename;
            this.contentType = contentType;
        }

        public String filename() {
            return filename;
        }

        public String contentType() {
            return contentType;
        }

        /** Streams the content from the server; a failure half-way can only cut the response. */
        public void writeTo(OutputStream out) throws IOException {
            try {
                content.writeTo(out);
            } catch (MessagingException e) {
                lease.fail();
                lease.recordIfThrottled(e);
                Log.warnf("A download broke off: the mail server failed: %s", e.getMessage());
                throw new IOException("the mail server failed during the download");
            } catch (IOException | RuntimeException e) {
                lease.fail(); // the client went away mid-literal (or the server did): not pooled again
                throw e;
            } finally {
                close();
            }
        }

        @Override
        public void close() {
            lease.close();
        }
    }
}
