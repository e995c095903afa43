package dev.mailsync.sync;

import java.sql.SQLException;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import dev.mailsync.message.Folder;
import dev.mailsync.message.MessageStore;
import dev.mailsync.message.NewMessage;
import io.quarkus.logging.Log;
import io.quarkus.narayana.jta.QuarkusTransaction;

/**
 * Stores a fetched batch so that one message the database refuses cannot fail it: the batch goes in as one
 * transaction; if it is refused, each message goes in alone; a message refused alone is stored as a minimal row
 * (folder, UID, size, flags, {@code malformed}), so the folder and the pass go on and the next pass does not try it
 * again. A failure that is not about the data (connection lost, serialization failure, out of resources) is not
 * worked around: it fails the pass, which is retried later with nothing degraded.
 */
@ApplicationScoped
public class MessageWriter {

    private final MessageStore store;

    public MessageWriter(MessageStore store) {
        this.store = store;
    }

    /**
     * Stores the messages of one folder; answers how many of them only as minimal rows.
     *
     * @param announce false for the folder's first fill (see {@link MessageStore#insert})
     */
    public int write(Folder folder, List<NewMessage> messages, boolean announce) {
        try {
            inTransaction(() -> store.insert(folder, messages, announce));
            return 0;
        } catch (RuntimeException e) {
            if (!refusesData(e)) {
                throw e;
            }
            Log.warnf("A batch of %d messages was refused (SQLState %s); storing them one by one", messages.size(),
                    sqlState(e));
        }
        int minimal = 0;
        for (NewMessage m : messages) {
            try {
                inTransaction(() -> store.insert(folder, List.of(m), announce));
            } catch (RuntimeException e) {
                if (!refusesData(e)) {
                    throw e;
                }
                String state = sqlState(e);
                Log.warnf("Message UID %d of folder %d was refused (SQLState %s); it is stored without its content",
                        m.uid(), m.folderId(), state);
                inTransaction(() -> store.insertMinimal(folder, m, "the database refused this message (SQLState "
                        + state + "): stored without its content; the raw message is on the server", announce));
                minimal++;
            }
        }
        return minimal;
    }

    /**
     * Whether the failure is about what was written (a value PostgreSQL refuses, a limit it has, a bug of ours on
     * odd data) rather than about the database being unreachable or busy, which a later pass can get past.
     */
    static boolean refusesData(Throwable e) {
        String state = sqlState(e);
        if (state == null) {
            return true; // not from the database: our own code failed on this data
        }
        return !(state.startsWith("08") || state.startsWith("40") || state.startsWith("53")
                || state.startsWith("57") || state.startsWith("58"));
    }

    private static String sqlState(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql) {
                // a batch reports the first failed statement's state on the chained exception
                SQLException next = sql.getNextException();
                return sql.getSQLState() != null ? sql.getSQLState() : next == null ? null : next.getSQLState();
            }
        }
        return null;
    }

    private static void inTransaction(SqlWork work) {
        QuarkusTransaction.requiringNew().call(() -> {
            work.run();
            return null;
        });
    }

    private interface SqlWork {
        void run();
    }
}
