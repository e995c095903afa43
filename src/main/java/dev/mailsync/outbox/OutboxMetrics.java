package dev.mailsync.outbox;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import jakarta.inject.Singleton;

import dev.mailsync.graph.GraphErrors;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.Startup;

/**
 * Sending's metrics ({@code mailsync_outbox_*}, {@code mailsync_smtp_*}, {@code mailsync_graph_errors}). Labels carry error codes only, never an
 * address or a mailbox. The gauges read PostgreSQL at most every 10 seconds, whatever the scrape rate. Every
 * series with a known set of labels exists at zero from start-up, so alert rules work before the first event.
 */
@Startup
@Singleton
public class OutboxMetrics {

    private static final Duration SNAPSHOT_AGE = Duration.ofSeconds(10);
    /** Every code of an {@link SmtpFailure}. */
    static final List<String> SMTP_ERROR_CODES = List.of("smtp_auth_disabled", "smtp_token_rejected",
            "recipient_refused", "message_too_large", "send_as_denied", "smtp_rejected", "smtp_busy",
            "smtp_unreachable", "smtp_connection_lost");
    /** Every code an item can fail or be retried with: the SMTP and Graph codes and the sender's own. */
    static final List<String> FAILURE_CODES = java.util.stream.Stream.of(SMTP_ERROR_CODES, GraphErrors.CODES,
            List.of("mailbox_reauth_required", "token_unavailable", "reconcile_failed", "internal_error"))
            .flatMap(List::stream).distinct().toList();

    private final MeterRegistry registry;
    private final Timer submissions;
    private volatile Snapshot snapshot;

    public OutboxMetrics(MeterRegistry registry, OutboxStore store) {
        this.registry = registry;
        this.submissions = Timer.builder("mailsync.smtp.submission.duration")
                .description("Duration of successful SMTP submissions").publishPercentileHistogram()
                .maximumExpectedValue(Duration.ofMinutes(5)).register(registry);
        for (OutboxState state : OutboxState.values()) {
            Gauge.builder("mailsync.outbox.items", () -> current(store).counts().getOrDefault(state, 0L))
                    .description("Outbox items by state").tag("state", state.wire()).register(registry);
        }
        registry.counter("mailsync.outbox.sent");
        SMTP_ERROR_CODES.forEach(code -> registry.counter("mailsync.smtp.errors", "code", code));
        GraphErrors.CODES.forEach(code -> registry.counter("mailsync.graph.errors", "code", code));
        FAILURE_CODES.forEach(code -> {
            registry.counter("mailsync.outbox.failed", "code", code);
            registry.counter("mailsync.outbox.retries", "code", code);
        });
        List.of("found", "absent").forEach(outcome -> registry.counter("mailsync.outbox.reconciled", "outcome",
                outcome));
        Gauge.builder("mailsync.outbox.oldest.waiting", () -> current(store).oldestWaitingSeconds())
                .description("Seconds the oldest queued or sending item has been waiting").baseUnit("seconds")
                .register(registry);
    }

    String timeSubmission(Supplier<String> submission) {
        long start = System.nanoTime();
        String response = submission.get();
        submissions.record(Duration.ofNanos(System.nanoTime() - start));
        return response;
    }

    void sent() {
        registry.counter("mailsync.outbox.sent").increment();
    }

    void failed(String code) {
        registry.counter("mailsync.outbox.failed", "code", code).increment();
    }

    void retried(String code) {
        registry.counter("mailsync.outbox.retries", "code", code).increment();
    }

    /** An SMTP failure by code ({@code smtp_busy}, {@code smtp_auth_disabled}, {@code recipient_refused}, ...). */
    void smtpError(String code) {
        registry.counter("mailsync.smtp.errors", "code", code).increment();
    }

    /** A Graph failure by code ({@code graph_throttled}, {@code send_as_denied}, ...). */
    void graphError(String code) {
        registry.counter("mailsync.graph.errors", "code", code).increment();
    }

    /** An interrupted attempt checked against the Sent folder: {@code found} or {@code absent}. */
    void reconciled(String outcome) {
        registry.counter("mailsync.outbox.reconciled", "outcome", outcome).increment();
    }

    private Snapshot current(OutboxStore store) {
        Snapshot s = snapshot;
        if (s == null || System.nanoTime() - s.takenAt() > SNAPSHOT_AGE.toNanos()) {
            try {
                s = new Snapshot(System.nanoTime(), store.countByState(), store.oldestWaitingSeconds());
            } catch (IllegalStateException e) {
                // the database is away: readiness reports it; the gauges show no value
                s = new Snapshot(System.nanoTime(), Map.of(), Double.NaN);
            }
            snapshot = s;
        }
        return s;
    }

    private record Snapshot(long takenAt, Map<OutboxState, Long> counts, double oldestWaitingSeconds) {
    }
}
