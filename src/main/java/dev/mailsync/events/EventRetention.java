package dev.mailsync.events;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import dev.mailsync.common.db.Jdbc;
import io.quarkus.logging.Log;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.scheduler.Scheduled;

/**
 * Deletes events older than {@code mailsync.changes.retention} and raises the {@code event_horizon} to the newest
 * position deleted (never lowers it), so that a change-feed state before it answers 410 instead of a partial list.
 * Any replica may run it, several at once: each batch deletes a prefix of the settled events in position order and
 * moves the horizon in the same transaction. Only settled events are deleted, so no event that commits later can
 * land below the horizon.
 */
@ApplicationScoped
public class EventRetention {

    private final Jdbc jdbc;
    private final EventLog events;
    private final ChangesConfig config;

    public EventRetention(Jdbc jdbc, EventLog events, ChangesConfig config) {
        this.jdbc = jdbc;
        this.events = events;
        this.config = config;
    }

    @Scheduled(every = "{mailsync.changes.cleanup-every}", delayed = "1m",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void scheduled() {
        try {
            purge(config.retention());
        } catch (RuntimeException e) {
            Log.warnf("Deleting old events failed (tried again at the next run): %s", e.getMessage());
        }
    }

    /** Deletes the events older than {@code retention}, batch by batch; answers how many. */
    public int purge(Duration retention) {
        int total = 0;
        while (true) {
            Batch batch = QuarkusTransaction.requiringNew().call(() -> purgeBatch(retention));
            total += batch.deleted();
            if (!batch.more()) {
                return total;
            }
        }
    }

    private record Batch(int deleted, boolean more) {
    }

    /** The next settled events after the horizon (everything at or before it is gone): a prefix of them goes. */
    private Batch purgeBatch(Duration retention) {
        int limit = config.cleanupBatch();
        Instant cutoff = Instant.now().minus(retention);
        List<Event> next = events.after(events.horizon(), limit);
        Optional<Position> last = lastOld(next.stream().map(e -> e.createdAt().isBefore(cutoff)).toList())
                .map(i -> next.get(i).position());
        if (last.isEmpty()) {
            return new Batch(0, false);
        }
        Position p = last.get();
        int deleted = jdbc.update("delete from event where (tx, id) <= (?::text::xid8, ?)", p.tx(), p.id());
        jdbc.update("update event_horizon set tx = ?::text::xid8, id = ? where (tx, id) < (?::text::xid8, ?)", p.tx(),
                p.id(), p.tx(), p.id());
        boolean wholeBatch = next.size() == limit && next.get(next.size() - 1).position().equals(p);
        return new Batch(deleted, wholeBatch);
    }

    /**
     * The index of the last event of the leading run of old ones (events are deleted as a prefix, so that the
     * horizon stays a single position), or empty when the first is not old.
     */
    static Optional<Integer> lastOld(List<Boolean> old) {
        int i = 0;
        while (i < old.size() && old.get(i)) {
            i++;
        }
        return i == 0 ? Optional.empty() : Optional.of(i - 1);
    }
}
