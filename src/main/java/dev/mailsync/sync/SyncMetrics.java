package dev.mailsync.sync;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import jakarta.inject.Singleton;

import dev.mailsync.common.db.Jdbc;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.Startup;

/**
 * The sync's metrics ({@code mailsync_*} in Prometheus). Labels never carry an address, a subject or a mailbox
 * id. The gauges read PostgreSQL at most every 10 seconds, whatever the scrape rate. Every counter with a known
 * set of labels exists at zero from start-up, so rates and alert rules work before the first event.
 */
@Startup
@Singleton
public class SyncMetrics {

    private static final Duration SNAPSHOT_AGE = Duration.ofSeconds(10);
    private static final String[] STATES = { "ACTIVE", "REAUTH_REQUIRED", "DISABLED" };
    /** Every outcome {@link MailboxSyncer#runPass} records. */
    static final List<String> PASS_OUTCOMES = java.util.stream.Stream.concat(
            java.util.stream.Stream.of("success", "lease_lost", "released"),
            java.util.Arrays.stream(SyncError.values()).map(SyncError::code)).toList();
    /** Every kind of {@link #imapError}. */
    static final List<String> IMAP_ERROR_KINDS = List.of("auth", "connection", "protocol");
    /** What {@link #fetched} counts: whole messages, headers (with their BODYSTRUCTURE) and text parts. */
    static final List<String> FETCHED = List.of("message", "header", "part");
    /** How {@link #read} read a message: fetched whole, or from its outline and text parts. */
    static final List<String> READS = List.of("whole", "parts");

    private final MeterRegistry registry;
    private final Jdbc jdbc;
    private final Counter added;
    private final Counter changed;
    private final Counter removed;
    private volatile Snapshot snapshot;

    public SyncMetrics(MeterRegistry registry, Jdbc jdbc) {
        this.registry = registry;
        this.jdbc = jdbc;
        this.added = messages("added");
        this.changed = messages("changed");
        this.removed = messages("removed");
        PASS_OUTCOMES.forEach(outcome -> passes(outcome));
        IMAP_ERROR_KINDS.forEach(kind -> imapErrors(kind));
        FETCHED.forEach(what -> fetchedBytes(what));
        READS.forEach(how -> reads(how));
        Gauge.builder("mailsync.sync.lag", this, m -> m.current().lagSeconds())
                .description("Seconds the most overdue active mailbox has been waiting for its pass")
                .baseUnit("seconds").register(registry);
        for (String state : STATES) {
            Gauge.builder("mailsync.mailboxes", this, m -> m.current().mailboxes().getOrDefault(state, 0L))
                    .description("Connected mailboxes by state").tag("state", state.toLowerCase())
                    .register(registry);
        }
    }

    /** Records a finished pass: its outcome ({@code success} or an error code) and duration. */
    void pass(String outcome, long nanos) {
        passes(outcome).increment();
        Timer.builder("mailsync.sync.pass.duration").description("Duration of sync passes")
                .tag("outcome", outcome).publishPercentileHistogram()
                .maximumExpectedValue(Duration.ofMinutes(30)).register(registry)
                .record(Duration.ofNanos(nanos));
    }

    void messages(int addedCount, int changedCount, int removedCount) {
        added.increment(addedCount);
        changed.increment(changedCount);
        removed.increment(removedCount);
    }

    /** An IMAP failure by kind: {@code auth}, {@code connection} or {@code protocol}. */
    void imapError(String kind) {
        imapErrors(kind).increment();
    }

    /** Bytes of message content fetched by the sync (the literals of BODY[...] answers), by what they were. */
    void fetched(String what, long bytes) {
        fetchedBytes(what).increment(bytes);
    }

    /** Messages read whole or from their outline and text parts. */
    void read(String how, int count) {
        reads(how).increment(count);
    }

    private Counter fetchedBytes(String what) {
        return Counter.builder("mailsync.sync.fetched").baseUnit("bytes")
                .description("Bytes of message content the sync fetched (BODY[...] literals) by what they were")
                .tag("what", what).register(registry);
    }

    private Counter reads(String how) {
        return Counter.builder("mailsync.sync.reads").description("Messages the sync read whole or from their parts")
                .tag("how", how).register(registry);
    }

    private Counter passes(String outcome) {
        return Counter.builder("mailsync.sync.passes").description("Finished sync passes by outcome")
                .tag("outcome", outcome).register(registry);
    }

    private Counter imapErrors(String kind) {
        return Counter.builder("mailsync.imap.errors").description("IMAP failures of sync passes by kind")
                .tag("kind", kind).register(registry);
    }

    private Counter messages(String change) {
        return Counter.builder("mailsync.sync.messages").description("Messages added, changed or removed by sync")
                .tag("change", change).register(registry);
    }

    private Snapshot current() {
        Snapshot s = snapshot;
        if (s == null || System.nanoTime() - s.takenAt() > SNAPSHOT_AGE.toNanos()) {
            s = read();
            snapshot = s;
        }
        return s;
    }

    private Snapshot read() {
        Map<String, Long> mailboxes = new HashMap<>();
        double lag = Double.NaN;
        try {
            jdbc.query("select state, count(*) from mailbox group by state", List.of(),
                    rs -> mailboxes.put(rs.getString(1), rs.getLong(2)));
            lag = jdbc.one("""
                    select coalesce(extract(epoch from now() - min(s.next_run_at)), 0)
                    from mailbox_sync s join mailbox m on m.id = s.mailbox_id
                    where m.state = 'ACTIVE' and s.next_run_at < now()""", rs -> rs.getDouble(1));
        } catch (Jdbc.Failed e) {
            // the database is away: readiness reports it; the gauges show no value
        }
        return new Snapshot(System.nanoTime(), mailboxes, lag);
    }

    private record Snapshot(long takenAt, Map<String, Long> mailboxes, double lagSeconds) {
    }
}
