package dev.mailsync.imap;

import java.text.SimpleDateFormat;
import java.time.Instant;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TimeZone;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.mail.Flags;
import jakarta.mail.Folder;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;

import org.eclipse.angus.mail.iap.ByteArray;
import org.eclipse.angus.mail.iap.Response;
import org.eclipse.angus.mail.imap.IMAPFolder;
import org.eclipse.angus.mail.imap.IMAPMessage;
import org.eclipse.angus.mail.imap.IMAPStore;
import org.eclipse.angus.mail.imap.ResyncData;
import org.eclipse.angus.mail.imap.protocol.BODY;
import org.eclipse.angus.mail.imap.protocol.BODYSTRUCTURE;
import org.eclipse.angus.mail.imap.protocol.FLAGS;
import org.eclipse.angus.mail.imap.protocol.FetchResponse;
import org.eclipse.angus.mail.imap.protocol.IMAPProtocol;
import org.eclipse.angus.mail.imap.protocol.IMAPResponse;
import org.eclipse.angus.mail.imap.protocol.INTERNALDATE;
import org.eclipse.angus.mail.imap.protocol.RFC822SIZE;
import org.eclipse.angus.mail.imap.protocol.UID;
import org.eclipse.angus.mail.imap.protocol.UIDSet;

import dev.mailsync.common.MailSockets;

/**
 * One IMAP connection, logged in with XOAUTH2 (no other mechanism: Angus would otherwise fall back to LOGIN),
 * with connect, read and write timeouts. Folders are examined read-only, bodies fetched with BODY.PEEK.
 */
public final class ImapSession implements AutoCloseable {

    /** Mail sessions by their properties (see {@link #session}); a handful at most. */
    private static final Map<Properties, Session> SESSIONS = new ConcurrentHashMap<>();
    private static final int MAX_SESSIONS = 32;

    private final IMAPStore store;
    private IMAPFolder open;
    private volatile Runnable onClose;
    private int writes;

    private ImapSession(IMAPStore store) {
        this.store = store;
    }

    public static ImapSession connect(ImapLogin login, ImapConfig config, MailSockets sockets)
            throws MessagingException {
        return connect(login, config, sockets, config.connectTimeout(), config.readTimeout());
    }

    /** A session whose connect and each answer wait at most these timeouts (instead of the configured ones). */
    static ImapSession connect(ImapLogin login, ImapConfig config, MailSockets sockets, Duration connectTimeout,
            Duration readTimeout) throws MessagingException {
        String protocol = login.tls() == MailSockets.Tls.SSL ? "imaps" : "imap";
        Properties props = sockets.sessionProperties(protocol, login.tls(), connectTimeout, readTimeout);
        String p = "mail." + protocol + ".";
        props.put(p + "peek", "true");
        props.put(p + "partialfetch", "true");
        props.put(p + "fetchsize", String.valueOf(config.fetchSize().asLongValue()));
        IMAPStore store = (IMAPStore) session(props).getStore(protocol);
        store.connect(login.host(), login.port(), login.user(), login.token());
        return new ImapSession(store);
    }

    /**
     * The mail session for these properties, made once: building one looks up and parses the providers' resource
     * files (measured: three quarters of a sync pass's connect CPU, 4% of the service's while 2,000 mailboxes were
     * connected and synced). A session is safe to share; each store is a connection of its own. The properties hold
     * only settings (the token goes to {@code connect}), the same for every connection of a configuration.
     */
    private static Session session(Properties props) {
        if (SESSIONS.size() > MAX_SESSIONS) {
            SESSIONS.clear(); // a configuration per test profile at most, in practice; never grows without bound
        }
        return SESSIONS.computeIfAbsent(props, Session::getInstance);
    }

    public boolean hasCondstore() throws MessagingException {
        return store.hasCapability("CONDSTORE");
    }

    public List<RemoteFolder> listFolders() throws MessagingException {
        List<RemoteFolder> folders = new ArrayList<>();
        for (Folder folder : store.getDefaultFolder().list("*")) {
            IMAPFolder f = (IMAPFolder) folder;
            String specialUse = null;
            boolean selectable = true;
            for (String attribute : f.getAttributes()) {
                if (attribute.equalsIgnoreCase("\\Noselect") || attribute.equalsIgnoreCase("\\NonExistent")) {
                    selectable = false;
                }
                for (String use : SpecialFolders.USES) {
                    if (attribute.equalsIgnoreCase(use)) {
                        specialUse = use;
                    }
                }
            }
            char separator = f.getSeparator();
            folders.add(new RemoteFolder(f.getFullName(), separator == 0 ? null : String.valueOf(separator),
                    specialUse, selectable));
        }
        return folders;
    }

    /** Examines a folder (read-only), with CONDSTORE enabled when the server offers it. */
    public FolderSnapshot examine(String name, boolean condstore) throws MessagingException {
        closeFolder();
        IMAPFolder folder = (IMAPFolder) store.getFolder(name);
        if (condstore) {
            folder.open(Folder.READ_ONLY, ResyncData.CONDSTORE);
        } else {
            folder.open(Folder.READ_ONLY);
        }
        open = folder;
        long uidNext = folder.getUIDNext();
        return new FolderSnapshot(folder.getUIDValidity(), uidNext, folder.getMessageCount(),
                condstore ? folder.getHighestModSeq() : 0);
    }

    /** UID, FLAGS and RFC822.SIZE of every message of the open folder. */
    public List<ServerMessage> listMessages() throws MessagingException {
        List<ServerMessage> messages = new ArrayList<>();
        if (open.getMessageCount() == 0) {
            return messages;
        }
        for (Response r : command("UID FETCH 1:* (UID FLAGS RFC822.SIZE)")) {
            if (r instanceof FetchResponse fetch) {
                UID uid = fetch.getItem(UID.class);
                FLAGS flags = fetch.getItem(FLAGS.class);
                RFC822SIZE size = fetch.getItem(RFC822SIZE.class);
                if (uid != null && flags != null) {
                    messages.add(new ServerMessage(uid.uid, flags, size == null ? 0 : size.size));
                }
            }
        }
        return messages;
    }

    /** UIDs of the messages received on or after a day (IMAP SEARCH SINCE has day granularity). */
    public List<Long> uidsSince(Instant since) throws MessagingException {
        SimpleDateFormat day = new SimpleDateFormat("d-MMM-yyyy", Locale.US);
        day.setTimeZone(TimeZone.getTimeZone("UTC"));
        List<Long> uids = new ArrayList<>();
        for (Response r : command("UID SEARCH SINCE " + day.format(Date.from(since)))) {
            if (r instanceof IMAPResponse ir && ir.keyEquals("SEARCH")) {
                for (long uid = ir.readLong(); uid != -1; uid = ir.readLong()) {
                    uids.add(uid);
                }
            }
        }
        return uids;
    }

    /** Whole messages by UID (one command). */
    public List<RawMessage> fetch(Collection<Long> uids) throws MessagingException {
        List<RawMessage> messages = new ArrayList<>();
        for (Response r : command("UID FETCH " + uidSet(uids) + " (UID FLAGS INTERNALDATE RFC822.SIZE BODY.PEEK[])")) {
            if (r instanceof FetchResponse fetch) {
                UID uid = fetch.getItem(UID.class);
                BODY body = fetch.getItem(BODY.class);
                if (uid == null || body == null) {
                    continue;
                }
                FLAGS flags = fetch.getItem(FLAGS.class);
                INTERNALDATE date = fetch.getItem(INTERNALDATE.class);
                RFC822SIZE size = fetch.getItem(RFC822SIZE.class);
                ByteArray bytes = body.getByteArray(); // a view into the response buffer: no copy
                messages.add(new RawMessage(uid.uid, flags == null ? new Flags() : flags,
                        date == null || date.getDate() == null ? null : date.getDate().toInstant(),
                        size == null ? bytes.getCount() : size.size, bytes.getBytes(), bytes.getStart(),
                        bytes.getCount()));
            }
        }
        return messages;
    }

    /**
     * A message by its header and BODYSTRUCTURE, without its body; empty when the server has no such message (or
     * sent an answer Angus could not parse).
     */
    public java.util.Optional<MessageOutline> outline(long uid) throws MessagingException {
        return java.util.Optional.ofNullable(outlines(List.of(uid)).get(uid));
    }

    /**
     * Messages by their header and BODYSTRUCTURE, without their bodies (one command), by UID; a message the server
     * does not have (or whose answer Angus could not parse) is missing. Each MIME tree is flattened without
     * recursion, to at most 1,000 leaves and 50 levels.
     */
    public Map<Long, MessageOutline> outlines(Collection<Long> uids) throws MessagingException {
        Map<Long, MessageOutline> outlines = new LinkedHashMap<>();
        if (uids.isEmpty()) {
            return outlines;
        }
        for (Response r : command("UID FETCH " + uidSet(uids) + " (UID FLAGS INTERNALDATE RFC822.SIZE BODYSTRUCTURE"
                + " BODY.PEEK[HEADER])")) {
            if (r instanceof FetchResponse fetch && fetch.getItem(UID.class) != null) {
                long uid = fetch.getItem(UID.class).uid;
                FLAGS flags = fetch.getItem(FLAGS.class);
                INTERNALDATE date = fetch.getItem(INTERNALDATE.class);
                RFC822SIZE size = fetch.getItem(RFC822SIZE.class);
                BODY header = fetch.getItem(BODY.class);
                BODYSTRUCTURE structure = fetch.getItem(BODYSTRUCTURE.class);
                if (header == null && size == null && structure == null) {
                    continue; // an unsolicited FETCH (a flag change), not our answer
                }
                byte[] headerBytes = header == null ? new byte[0] : header.getByteArray().getNewBytes();
                long messageSize = size == null ? 0 : size.size;
                Outlines.Flat flat = Outlines.flatten(structure, messageSize, headerBytes.length);
                outlines.put(uid, new MessageOutline(uid, flags == null ? new Flags() : flags,
                        date == null || date.getDate() == null ? null : date.getDate().toInstant(), messageSize,
                        headerBytes, flat.parts(), flat.cut(), flat.mismatch()));
            }
        }
        return outlines;
    }

    /** The first {@code maxBytes} bytes (still transfer-encoded) of some sections of a message, by section. */
    public java.util.Map<String, byte[]> sections(long uid, List<String> sections, long maxBytes)
            throws MessagingException {
        Map<String, Long> wanted = new LinkedHashMap<>();
        sections.forEach(section -> wanted.put(section, maxBytes));
        return sections(List.of(uid), wanted).getOrDefault(uid, new java.util.HashMap<>());
    }

    /**
     * Sections of some messages (one command: the same sections of each), each read up to its number of bytes and
     * still transfer-encoded: UID → section → bytes. A section a message lacks, or a message that is gone, is
     * missing from the answer.
     */
    public Map<Long, Map<String, byte[]>> sections(Collection<Long> uids, Map<String, Long> maxBytes)
            throws MessagingException {
        Map<Long, Map<String, byte[]>> contents = new LinkedHashMap<>();
        if (uids.isEmpty() || maxBytes.isEmpty()) {
            return contents;
        }
        StringBuilder items = new StringBuilder();
        maxBytes.forEach((section, max) -> items.append(" BODY.PEEK[").append(section).append("]<0.").append(max)
                .append('>'));
        for (Response r : command("UID FETCH " + uidSet(uids) + " (UID" + items + ")")) {
            if (r instanceof FetchResponse fetch && fetch.getItem(UID.class) != null) {
                Map<String, byte[]> parts = contents.computeIfAbsent(fetch.getItem(UID.class).uid,
                        uid -> new java.util.HashMap<>());
                for (int i = 0; i < fetch.getItemCount(); i++) {
                    if (fetch.getItem(i) instanceof BODY body && body.getSection() != null) {
                        parts.put(body.getSection(), body.getByteArray().getNewBytes());
                    }
                }
            }
        }
        return contents;
    }

    /**
     * Opens a folder for a message operation and finds the message by UID; empty when the folder's UIDVALIDITY is
     * no longer the one the message was stored under, or the message is gone.
     */
    public java.util.Optional<IMAPMessage> message(String folderName, long uidValidity, long uid, boolean write)
            throws MessagingException {
        return messages(folderName, uidValidity, List.of(uid), write).map(found -> found.get(uid));
    }

    /**
     * Opens a folder for an operation on some of its messages and finds them by UID (one {@code UID FETCH} of the
     * set); empty when the folder's UIDVALIDITY is no longer the one they were stored under. UIDs that are gone
     * from the server are missing from the answer.
     */
    public java.util.Optional<Map<Long, IMAPMessage>> messages(String folderName, long uidValidity,
            Collection<Long> uids, boolean write) throws MessagingException {
        closeFolder();
        IMAPFolder folder = (IMAPFolder) store.getFolder(folderName);
        folder.open(write ? Folder.READ_WRITE : Folder.READ_ONLY);
        open = folder;
        if (folder.getUIDValidity() != uidValidity) {
            return java.util.Optional.empty();
        }
        Map<Long, IMAPMessage> found = new LinkedHashMap<>();
        for (jakarta.mail.Message m : folder.getMessagesByUID(uids.stream().mapToLong(Long::longValue).toArray())) {
            if (m != null) {
                found.put(folder.getUID(m), (IMAPMessage) m);
            }
        }
        return java.util.Optional.of(found);
    }

    /** The part of a message at an IMAP section ("1", "2.1"), from its BODYSTRUCTURE; nothing is fetched yet. */
    public static java.util.Optional<jakarta.mail.Part> part(IMAPMessage message, String section)
            throws MessagingException, java.io.IOException {
        jakarta.mail.Part part = message;
        for (String index : section.split("\\.")) {
            Object content = part.isMimeType("multipart/*") ? part.getContent() : null;
            if (content instanceof jakarta.mail.Multipart multipart) {
                int i = Integer.parseInt(index) - 1;
                if (i < 0 || i >= multipart.getCount()) {
                    return java.util.Optional.empty();
                }
                part = multipart.getBodyPart(i);
            } else if (!index.equals("1")) {
                return java.util.Optional.empty();
            }
        }
        return java.util.Optional.of(part);
    }

    /** Adds or removes a flag on messages of the open folder: one {@code UID STORE} of the set. */
    public void store(Collection<Long> uids, Flags.Flag flag, boolean set) throws MessagingException {
        String name = flag == Flags.Flag.SEEN ? "\\Seen" : flag == Flags.Flag.FLAGGED ? "\\Flagged"
                : flag == Flags.Flag.ANSWERED ? "\\Answered" : flag == Flags.Flag.DELETED ? "\\Deleted" : null;
        if (name == null) {
            throw new IllegalArgumentException("unsupported flag " + flag);
        }
        writes++;
        command("UID STORE " + uidSet(uids) + (set ? " +" : " -") + "FLAGS.SILENT (" + name + ")");
    }

    /**
     * Moves messages of the open folder to another folder in one command (MOVE); answers their UIDs there as far
     * as the server tells (COPYUID), keyed by their UIDs here.
     */
    public Map<Long, Long> move(List<IMAPMessage> messages, String target) throws MessagingException {
        writes++;
        org.eclipse.angus.mail.imap.AppendUID[] uids = open.moveUIDMessages(
                messages.toArray(jakarta.mail.Message[]::new), store.getFolder(target));
        Map<Long, Long> moved = new LinkedHashMap<>();
        for (int i = 0; uids != null && i < uids.length && i < messages.size(); i++) {
            if (uids[i] != null) {
                moved.put(open.getUID(messages.get(i)), uids[i].uid);
            }
        }
        return moved;
    }

    /** Deletes messages of the open folder for good: \Deleted, then UID EXPUNGE of just those. */
    public void expunge(List<IMAPMessage> messages) throws MessagingException {
        List<Long> uids = new ArrayList<>();
        for (IMAPMessage m : messages) {
            uids.add(open.getUID(m));
        }
        store(uids, Flags.Flag.DELETED, true);
        open.expunge(messages.toArray(jakarta.mail.Message[]::new));
    }

    /**
     * Commands that change something on the server sent so far (STORE, MOVE, EXPUNGE, APPEND): a broken session on
     * which none was sent can be replaced and the work done again.
     */
    public int writesSent() {
        return writes;
    }

    /** {@code action} runs once when the session closes (it gives back the connection's permit). */
    void whenClosed(Runnable action) {
        onClose = action;
    }

    /** Between two operations of a pooled session: no folder stays open, no count of writes carries over. */
    void rest() {
        closeFolder();
        writes = 0;
    }

    /**
     * Whether a failure means the connection is gone (closed by the server or the network), as opposed to a command
     * the server refused. (Unlike {@link #isConnected}, it never logs in again to find out.)
     */
    public static boolean connectionLost(Throwable failure) {
        java.util.Set<Throwable> seen = new java.util.HashSet<>();
        for (Throwable t = failure; t != null && seen.add(t); t = t.getCause()) {
            if (t instanceof jakarta.mail.FolderClosedException || t instanceof jakarta.mail.StoreClosedException
                    || t instanceof java.io.IOException || t instanceof IllegalStateException
                    || t instanceof org.eclipse.angus.mail.iap.ConnectionException) {
                return true;
            }
        }
        return false;
    }

    /** Whether the connection is still up (after a failed command; may log in again to find out). */
    public boolean isConnected() {
        return store.isConnected();
    }

    /** IMAP sequence-set syntax for UIDs, e.g. {@code 3:5,9} (Angus's {@link UIDSet}, over sorted distinct UIDs). */
    static String uidSet(Collection<Long> uids) {
        long[] sorted = uids.stream().mapToLong(Long::longValue).sorted().distinct().toArray();
        return sorted.length == 0 ? "" : UIDSet.toString(UIDSet.createUIDSets(sorted));
    }

    /** Whether the folder holds a message with this Message-ID (SEARCH HEADER, on the server). */
    public boolean hasMessageId(String folderName, String messageId) throws MessagingException {
        closeFolder();
        IMAPFolder folder = (IMAPFolder) store.getFolder(folderName);
        folder.open(Folder.READ_ONLY);
        open = folder;
        String bare = messageId.replaceAll("^<|>$", "");
        return folder.search(new jakarta.mail.search.HeaderTerm("Message-ID", bare)).length > 0;
    }

    /** Stores a message in a folder, marked read (APPEND). */
    public void append(String folderName, byte[] mime) throws MessagingException {
        closeFolder();
        jakarta.mail.internet.MimeMessage message = new jakarta.mail.internet.MimeMessage(null,
                new jakarta.mail.util.SharedByteArrayInputStream(mime));
        message.setFlag(Flags.Flag.SEEN, true);
        writes++;
        store.getFolder(folderName).appendMessages(new jakarta.mail.Message[] { message });
    }

    /** The UIDVALIDITY of another folder (STATUS), e.g. a move target. */
    public long uidValidity(String folderName) throws MessagingException {
        return ((IMAPFolder) store.getFolder(folderName)).getUIDValidity();
    }

    private Response[] command(String command) throws MessagingException {
        return (Response[]) open.doCommand(protocol -> {
            IMAPProtocol imap = (IMAPProtocol) protocol;
            Response[] responses = imap.command(command, null);
            imap.notifyResponseHandlers(responses);
            imap.handleResult(responses[responses.length - 1]);
            return responses;
        });
    }

    private void closeFolder() {
        if (open != null && open.isOpen()) {
            try {
                open.close(false);
            } catch (MessagingException e) {
                // the connection may be gone; nothing to keep
            }
        }
        open = null;
    }

    /** From another thread: drops the connection (without waiting for a command in progress). */
    public void abort() {
        Thread closer = new Thread(() -> {
            try {
                store.close();
            } catch (MessagingException | RuntimeException e) {
                // the connection is going away either way
            }
        }, "imap-abort");
        closer.setDaemon(true);
        closer.start();
    }

    @Override
    public void close() {
        closeFolder();
        try {
            store.close();
        } catch (MessagingException | RuntimeException e) {
            // closing a broken connection
        } finally {
            Runnable action = onClose;
            onClose = null;
            if (action != null) {
                action.run();
            }
        }
    }
}
