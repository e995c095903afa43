package dev.mailsync.common.ratelimit;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;

import dev.mailsync.common.problem.ProblemCode;
import dev.mailsync.common.problem.ProblemException;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * Per-user limits on the calls that cost the most or reach Microsoft: starting a connect flow, requesting a
 * sync pass, sending. A token bucket per user and action, in memory on each replica: a user spread over N
 * replicas gets up to N times the rate, which still bounds what one account can do and needs no shared state.
 * Over the limit: 429 {@code rate_limited} with {@code Retry-After}.
 */
@ApplicationScoped
public class RateLimits {

    private static final int SWEEP_ABOVE = 10_000;

    private final Config config;
    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

    public RateLimits(Config config) {
        this.config = config;
    }

    /** A connect flow started ({@code POST /api/v1/mailboxes/connect/microsoft}). */
    public void connect(String userId) {
        take("connect", userId, config.connectPerMinute());
    }

    /** A sync pass requested ({@code POST /api/v1/mailboxes/{id}/sync}). */
    public void sync(String userId) {
        take("sync", userId, config.syncPerMinute());
    }

    /** A message queued or retried. */
    public void send(String userId) {
        take("send", userId, config.sendPerMinute());
    }

    private void take(String action, String userId, int perMinute) {
        if (buckets.size() > SWEEP_ABOVE) {
            long now = System.nanoTime();
            buckets.values().removeIf(b -> b.idleSince(now) > Duration.ofMinutes(1).toNanos());
        }
        Bucket bucket = buckets.computeIfAbsent(action + ":" + userId, k -> new Bucket(perMinute));
        Duration wait = bucket.take(perMinute, System.nanoTime());
        if (wait != null) {
            throw ProblemException.retryAfter(ProblemCode.RATE_LIMITED, "At most " + perMinute + " " + action
                    + " requests per minute; try again in " + Math.max(1, wait.toSeconds() + 1) + " s", wait);
        }
    }

    /** Starts full; refills {@code perMinute} tokens a minute, continuously, up to {@code perMinute}. */
    private static final class Bucket {
        private double tokens;
        private long updated = System.nanoTime();

        Bucket(int perMinute) {
            tokens = perMinute;
        }

        /** Takes a token; else answers how long until one is there. */
        synchronized Duration take(int perMinute, long now) {
            double perNano = perMinute / 60e9;
            tokens = Math.min(perMinute, tokens + (now - updated) * perNano);
            updated = now;
            if (tokens >= 1) {
                tokens -= 1;
                return null;
            }
            return Duration.ofNanos((long) Math.ceil((1 - tokens) / perNano));
        }

        synchronized long idleSince(long now) {
            return now - updated;
        }
    }

    /** Prefix {@code mailsync.rate-limit}: requests per user and minute, per replica (bursts up to as many). */
    @ConfigMapping(prefix = "mailsync.rate-limit")
    public interface Config {
        /** Connect flows a user may start per minute. */
        @WithDefault("5")
        int connectPerMinute();

        /** Sync passes a user may request per minute (across their mailboxes). */
        @WithDefault("20")
        int syncPerMinute();

        /** Messages a user may queue or retry per minute; Exchange Online itself accepts 30 per minute. */
        @WithDefault("30")
        int sendPerMinute();
    }
}
