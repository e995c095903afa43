package dev.mailsync.outbox;

import java.io.IOException;
import java.io.OutputStream;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.mail.MessagingException;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.mailsync.common.problem.Problem.FieldError;
import dev.mailsync.common.problem.ProblemCode;
import dev.mailsync.common.problem.ProblemException;
import dev.mailsync.mailbox.Mailbox;
import dev.mailsync.mailbox.MailboxService;
import dev.mailsync.mailbox.MailboxState;
import dev.mailsync.message.AttachmentInfo;
import dev.mailsync.message.MessageDownloads;

/**
 * Accepts mail into the outbox: the message is composed (a forward's attachments streamed from the server into it,
 * within the send memory budget) and stored as the exact bytes that will be submitted, so that what was accepted can
 * always be sent, and an {@code Idempotency-Key} repeat answers the first item instead of adding another.
 */
@ApplicationScoped
public class OutboxService {

    private final MailboxService mailboxes;
    private final OutboxStore store;
    private final MessageDownloads messages;
    private final OutboxConfig config;
    private final ObjectMapper json;
    private final OutboxSender sender;
    private final SendBudget budget;

    public OutboxService(MailboxService mailboxes, OutboxStore store, MessageDownloads messages, OutboxConfig config,
            ObjectMapper json, OutboxSender sender, SendBudget budget) {
        this.mailboxes = mailboxes;
        this.store = store;
        this.messages = messages;
        this.config = config;
        this.json = json;
        this.sender = sender;
        this.budget = budget;
    }

    /** The result of a POST: the item, and whether it is a repeat of an earlier request with the same key. */
    public record Enqueued(OutboxItem.Accepted accepted, boolean replayed) {
    }

    public Enqueued enqueue(UUID mailboxId, String userId, String idempotencyKey, SendRequest request) {
        Mailbox mailbox = mailboxes.getMailbox(mailboxId, userId);
        String hash = hash(request);
        if (idempotencyKey != null) {
            var earlier = store.byIdempotencyKey(mailboxId, idempotencyKey);
            if (earlier.isPresent()) {
                return replay(earlier.get(), hash);
            }
        }
        if (mailbox.state != MailboxState.ACTIVE) {
            throw new ProblemException(ProblemCode.MAILBOX_NOT_ACTIVE,
                    "This mailbox cannot send until its user connects it again (" + mailbox.state.name()
                            .toLowerCase() + ")");
        }
        Original original = request.reference() == null ? null
                : store.original(mailboxId, Long.parseLong(request.reference().messageId())).orElseThrow(
                        () -> ProblemException.invalid(List.of(new FieldError("reference.messageId",
                                "no such message in this mailbox"))));
        boolean forward = original != null && request.reference().kind() == ReferenceAction.FORWARD;
        List<AttachmentInfo> carried = forward
                ? original.attachments().stream().filter(a -> !a.inline()).toList() : List.of();
        MailComposer.checkForwardedSize(request, carried, config);
        MailComposer.Sender from = new MailComposer.Sender(mailbox.address, mailbox.displayName);
        MailComposer.Composed mail;
        try (SendBudget.Share share = budget.forRequest(MailComposer.memoryNeeded(request, carried))) {
            mail = carried.isEmpty() ? compose(from, request, original)
                    : messages.withAttachments(mailboxId, original.id(), carried, parts -> {
                        List<MailComposer.Forwarded> forwarded = new ArrayList<>();
                        for (int i = 0; i < parts.size(); i++) {
                            AttachmentInfo a = carried.get(i);
                            forwarded.add(new MailComposer.Forwarded(parts.get(i), a.filename(), a.contentType(),
                                    a.size()));
                        }
                        return MailComposer.compose(from, request, original, forwarded, config);
                    });
            UUID id = UUID.randomUUID();
            Long answers = original != null && !forward ? original.id() : null;
            if (!store.insert(new OutboxStore.NewItem(id, mailboxId, idempotencyKey, hash, mail, answers))) {
                // a concurrent request with the same key won
                return replay(store.byIdempotencyKey(mailboxId, idempotencyKey).orElseThrow(), hash);
            }
            sender.wakeUp();
            return new Enqueued(new OutboxItem.Accepted(id.toString(), OutboxState.QUEUED), false);
        }
    }

    private MailComposer.Composed compose(MailComposer.Sender from, SendRequest request, Original original) {
        try {
            return MailComposer.compose(from, request, original, List.of(), config);
        } catch (MessagingException | IOException e) {
            throw new IllegalStateException("composing the message failed: " + e.getMessage(), e);
        }
    }

    private static Enqueued replay(OutboxStore.Existing earlier, String hash) {
        if (!earlier.requestHash().equals(hash)) {
            throw new ProblemException(ProblemCode.IDEMPOTENCY_KEY_REUSED,
                    "This Idempotency-Key was used for a different message; use a new key for a new message");
        }
        return new Enqueued(new OutboxItem.Accepted(earlier.id().toString(), OutboxState.QUEUED), true);
    }

    /** SHA-256 of the request's JSON, streamed (a request may carry 30 MB of base64). */
    private String hash(SendRequest request) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            json.writeValue(new DigestOutputStream(OutputStream.nullOutputStream(), digest), request);
            return HexFormat.of().formatHex(digest.digest());
        } catch (IOException | NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
