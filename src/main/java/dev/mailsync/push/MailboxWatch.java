package dev.mailsync.push;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadLocalRandom;

import dev.mailsync.imap.ImapLogin;
import dev.mailsync.imap.ImapBusy;
import dev.mailsync.imap.ImapLogins;
import dev.mailsync.imap.ThrottleReplies;
import dev.mailsync.oauth.ReauthorizationRequired;
import io.quarkus.logging.Log;
import io.vertx.core.Vertx;

/**
 * The watch of one mailbox on this replica: a connection in IDLE per watched folder, each reconnected with jittered
 * backoff when it drops, each change turned into a folder pass. Logins (a fresh access token, read and perhaps
 * refreshed through PostgreSQL and Entra) run on the {@code blocking} executor, never on the event loop.
 */
final class MailboxWatch {

    /** What a watch shares with the others. */
    record Parts(IdleConnector connector, ImapLogins logins, ExecutorService blocking, PushPasses passes,
            PushMetrics metrics, WatchLeases leases, Vertx vertx, Backoff backoff, String owner) {
    }

    /** What the watch reports about its mailbox as a whole. */
    interface Verdicts {
        /** The server offers no IDLE (or no XOAUTH2): the mailbox keeps the periodic pass only. */
        void notSupported(UUID mailboxId);

        /** The mailbox needs its user to reconnect: it is watched no more. */
        void reauthorizationRequired(UUID mailboxId);
    }

    private final UUID mailboxId;
    private final Parts parts;
    private final Verdicts verdicts;
    private final Map<String, FolderWatch> folders = new LinkedHashMap<>();
    private boolean stopped;

    MailboxWatch(UUID mailboxId, Parts parts, Verdicts verdicts) {
        this.mailboxId = mailboxId;
        this.parts = parts;
        this.verdicts = verdicts;
    }

    UUID mailboxId() {
        return mailboxId;
    }

    /** Watches exactly these folders (already cut to the budget): new ones connect, dropped ones log out. */
    synchronized void watch(List<String> wanted) {
        if (stopped) {
            return;
        }
        folders.entrySet().removeIf(e -> {
            if (!wanted.contains(e.getKey())) {
                e.getValue().stop();
                return true;
            }
            return false;
        });
        for (String folder : wanted) {
            folders.computeIfAbsent(folder, f -> {
                FolderWatch w = new FolderWatch(f);
                w.connect();
                return w;
            });
        }
    }

    /** Logs every connection out; the watch is over. */
    synchronized void stop() {
        stopped = true;
        folders.values().forEach(FolderWatch::stop);
        folders.clear();
    }

    /** The folders whose connection is in IDLE now. */
    synchronized List<String> idling() {
        List<String> names = new ArrayList<>();
        folders.forEach((name, w) -> {
            if (w.idling) {
                names.add(name);
            }
        });
        return names;
    }

    private void recordWatching() {
        List<String> names = idling();
        parts.blocking().execute(() -> {
            try {
                parts.leases().watching(mailboxId, parts.owner(), names);
            } catch (RuntimeException e) {
                Log.debugf("Could not record the watched folders of mailbox %s: %s", mailboxId, e.getMessage());
            }
        });
    }

    /** One folder's connection, and its reconnections. Its callbacks run on a Vert.x event loop. */
    private final class FolderWatch implements IdleConnection.Events {

        private final String folder;
        private volatile IdleConnection connection;
        private volatile boolean idling;
        private volatile boolean stopping;
        private int failures;
        private boolean reconnected;
        private long timer = -1;

        FolderWatch(String folder) {
            this.folder = folder;
        }

        /** Gets a fresh login (blocking: on the executor), then opens the connection. */
        void connect() {
            parts.blocking().execute(() -> {
                if (stopping) {
                    return;
                }
                Optional<Instant> throttled = parts.connector().backoffUntil(mailboxId);
                if (throttled.isPresent()) {
                    reconnectIn(Duration.between(Instant.now(), throttled.get()));
                    return;
                }
                ImapLogin login;
                try {
                    login = parts.logins().login(mailboxId);
                } catch (ReauthorizationRequired e) {
                    Log.infof("Mailbox %s needs its user to reconnect: no longer watched", mailboxId);
                    verdicts.reauthorizationRequired(mailboxId);
                    return;
                } catch (RuntimeException e) { // TokenUnavailable, or the database away for a moment
                    retryLater(IdleConnection.End.DROPPED, "no access token: " + e.getMessage());
                    return;
                }
                synchronized (this) {
                    if (stopping) {
                        return;
                    }
                    try {
                        connection = parts.connector().open(mailboxId, login, folder, this);
                    } catch (ImapBusy e) {
                        retryLater(IdleConnection.End.DROPPED, e.getMessage());
                    }
                }
            });
        }

        void stop() {
            IdleConnection c;
            synchronized (this) {
                stopping = true;
                c = connection;
                if (timer >= 0) {
                    parts.vertx().cancelTimer(timer);
                }
            }
            if (c != null) {
                c.stop();
            }
        }

        @Override
        public synchronized void idling() {
            idling = true;
            failures = 0;
            parts.metrics().idling(1);
            recordWatching();
            if (reconnected) {
                // what happened while the connection was down: one pass of the folder catches up
                parts.passes().request(mailboxId, folder, parts.owner());
            }
        }

        @Override
        public void changed(String kind) {
            parts.metrics().event(kind);
            parts.passes().request(mailboxId, folder, parts.owner());
        }

        @Override
        public void ended(IdleConnection.End end, String detail) {
            if (idling) {
                idling = false;
                parts.metrics().idling(-1);
            }
            if (end == IdleConnection.End.STOPPED || stopping) {
                return;
            }
            parts.metrics().reconnect(end);
            Optional<Duration> throttled = ThrottleReplies.backoff(String.valueOf(detail));
            if (throttled.isPresent()) {
                // Exchange asked for a pause: the whole mailbox (sync, API, every replica) keeps it, and so does push
                parts.blocking().execute(() -> parts.connector().throttled(mailboxId, throttled.get()));
                synchronized (this) {
                    reconnected = true;
                    reconnectIn(throttled.get());
                }
                return;
            }
            if (end == IdleConnection.End.NOT_SUPPORTED) {
                Log.infof("Mailbox %s: %s; it keeps the periodic pass", mailboxId, detail);
                verdicts.notSupported(mailboxId);
                return;
            }
            retryLater(end, detail);
        }

        private synchronized void retryLater(IdleConnection.End end, String detail) {
            failures++;
            reconnected = true;
            Duration delay = parts.backoff().delay(failures, ThreadLocalRandom.current()::nextDouble);
            Log.debugf("Push connection of mailbox %s (%s) ended (%s: %s); reconnecting in %d ms", mailboxId,
                    folder, end, detail, delay.toMillis());
            String message = end == IdleConnection.End.AUTH_FAILED ? "the IMAP server refused the access token"
                    : "push connection lost: " + detail;
            parts.blocking().execute(() -> {
                try {
                    parts.leases().failed(mailboxId, parts.owner(), message);
                } catch (RuntimeException e) {
                    // the database is away for a moment: the error record can wait
                }
            });
            reconnectIn(delay);
        }

        private synchronized void reconnectIn(Duration delay) {
            timer = parts.vertx().setTimer(Math.max(delay.toMillis(), 1), t -> {
                synchronized (this) {
                    timer = -1;
                }
                connect();
            });
        }
    }
}
