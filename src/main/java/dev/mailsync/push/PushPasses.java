package dev.mailsync.push;

import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import dev.mailsync.sync.MailboxSyncer;
import io.quarkus.logging.Log;

/**
 * The folder passes that push asks for: at most one per mailbox at a time, on {@code mailsync.push.pass-concurrency}
 * workers. Requests coalesce: while a mailbox's pass waits or runs, more news only add folders to its next pass, so
 * a burst of EXISTS costs one or two passes. A mailbox held by another pass (a full pass, on any replica) is asked
 * again a second later.
 */
@ApplicationScoped
public class PushPasses {

    /** How long a mailbox held by another pass waits before the folder pass asks again. */
    static final Duration BUSY_RETRY = Duration.ofSeconds(1);

    private final MailboxSyncer syncer;
    private final PushMetrics metrics;
    private final ExecutorService workers;
    private final ScheduledExecutorService retries;
    /** Mailboxes with a pass queued or running, and the folders its next pass takes. */
    private final Map<UUID, Set<String>> pending = new ConcurrentHashMap<>();

    public PushPasses(MailboxSyncer syncer, PushMetrics metrics, PushConfig config) {
        this.syncer = syncer;
        this.metrics = metrics;
        AtomicInteger n = new AtomicInteger();
        this.workers = Executors.newFixedThreadPool(Math.max(config.passConcurrency(), 1), r -> daemon(r,
                "push-pass-" + n.incrementAndGet()));
        this.retries = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "push-pass-retry"));
    }

    /** A folder of a mailbox changed: a pass of it as soon as a worker is free (from any thread, never blocks). */
    public void request(UUID mailboxId, String folder, String owner) {
        boolean[] start = { false };
        pending.compute(mailboxId, (id, folders) -> {
            if (folders == null) {
                folders = new HashSet<>();
                start[0] = true;
            }
            folders.add(folder);
            return folders;
        });
        if (start[0]) {
            workers.execute(() -> run(mailboxId, owner));
        }
    }

    private void run(UUID mailboxId, String owner) {
        Set<String> batch = new HashSet<>();
        pending.computeIfPresent(mailboxId, (id, folders) -> {
            batch.addAll(folders);
            folders.clear(); // stays in the map: the mailbox's pass is running
            return folders;
        });
        MailboxSyncer.FolderPass outcome;
        try {
            outcome = syncer.runFolderPass(mailboxId, batch, owner);
        } catch (RuntimeException e) {
            Log.warnf("Folder pass of mailbox %s could not start: %s", mailboxId, e.getMessage());
            outcome = MailboxSyncer.FolderPass.FAILED;
        }
        metrics.pass(outcome);
        if (outcome == MailboxSyncer.FolderPass.BUSY) {
            pending.computeIfPresent(mailboxId, (id, folders) -> {
                folders.addAll(batch);
                return folders;
            });
            long jitter = ThreadLocalRandom.current().nextLong(BUSY_RETRY.toMillis() / 4 + 1);
            retries.schedule(() -> workers.execute(() -> run(mailboxId, owner)), BUSY_RETRY.toMillis() + jitter,
                    TimeUnit.MILLISECONDS);
            return;
        }
        boolean[] again = { false };
        pending.computeIfPresent(mailboxId, (id, folders) -> {
            again[0] = !folders.isEmpty();
            return again[0] ? folders : null;
        });
        if (again[0]) {
            workers.execute(() -> run(mailboxId, owner));
        }
    }

    /** Mailboxes with a pass waiting or running (for tests and the shutdown log). */
    int pending() {
        return pending.size();
    }

    @PreDestroy
    void stop() {
        retries.shutdownNow();
        workers.shutdownNow();
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }
}
