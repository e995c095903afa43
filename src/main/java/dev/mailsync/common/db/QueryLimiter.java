package dev.mailsync.common.db;

import java.time.Duration;
import java.util.OptionalInt;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import jakarta.enterprise.context.ApplicationScoped;

import dev.mailsync.common.problem.ProblemCode;
import dev.mailsync.common.problem.ProblemException;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * Admits at most {@code mailsync.api.query-concurrency} of the API's database reads at once (default: the number
 * of CPU cores), the others waiting in arrival order. Under load this keeps latency even: sixteen requests that
 * all run at once on two cores take turns unfairly, and the unlucky ones wait many times longer than the rest
 * (on the messages benchmark, page p99 fell from 30–200 ms to 12–20 ms at the same throughput).
 * <p>
 * Both waits are bounded, so a saturated replica sheds load instead of queueing without end: a read waits at
 * most {@code query-wait} for its turn, and runs at most {@code statement-timeout} (the statement is cancelled
 * in PostgreSQL); either answers 503 with {@code Retry-After}. Only the API's reads pass here: the sync's long
 * statements are never cut.
 */
@ApplicationScoped
public class QueryLimiter {

    private static final Duration RETRY_AFTER = Duration.ofSeconds(1);

    private final Semaphore permits;
    private final Config config;

    public QueryLimiter(Config config) {
        this.config = config;
        int permits = config.queryConcurrency().orElse(Runtime.getRuntime().availableProcessors());
        this.permits = new Semaphore(Math.max(1, permits), true);
    }

    /**
     * Runs a read when its turn comes.
     *
     * @throws ProblemException 503 {@code busy} when no turn came within {@code query-wait}
     */
    public void run(Runnable read) {
        try {
            if (!permits.tryAcquire(config.queryWait().toMillis(), TimeUnit.MILLISECONDS)) {
                throw ProblemException.retryAfter(ProblemCode.BUSY, "Too many requests are waiting for the database; "
                        + "try again shortly", RETRY_AFTER);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ProblemException.retryAfter(ProblemCode.BUSY,
                    "Interrupted while waiting for the database", RETRY_AFTER);
        }
        try {
            read.run();
        } catch (Jdbc.StatementTimedOut e) {
            throw ProblemException.retryAfter(ProblemCode.QUERY_TIMEOUT, "The query took longer than "
                    + config.statementTimeout().toSeconds() + " s and was cancelled; narrow it or try again",
                    RETRY_AFTER);
        } finally {
            permits.release();
        }
    }

    /** How long one of the API's statements may run. */
    public Duration statementTimeout() {
        return config.statementTimeout();
    }

    /** Prefix {@code mailsync.api}. */
    @ConfigMapping(prefix = "mailsync.api")
    public interface Config {
        /** Database reads of the API running at once; default: the number of CPU cores. */
        OptionalInt queryConcurrency();

        /** Longest wait for a turn before answering 503. */
        @WithDefault("3s")
        Duration queryWait();

        /** Longest run of one API statement (whole seconds) before it is cancelled and answered with 503. */
        @WithDefault("10s")
        Duration statementTimeout();
    }
}
