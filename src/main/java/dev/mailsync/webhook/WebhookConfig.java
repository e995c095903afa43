package dev.mailsync.webhook;

import java.time.Duration;
import java.util.List;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Webhooks (prefix {@code mailsync.webhooks}). */
@ConfigMapping(prefix = "mailsync.webhooks")
public interface WebhookConfig {

    /** Whether this replica fans events out and delivers them (the API works either way). */
    @WithDefault("true")
    boolean enabled();

    /**
     * Allow target URLs whose host resolves to loopback, private, link-local, CGNAT, unique-local or other
     * non-public addresses. Off: such URLs are refused when created and every delivery re-checks the address.
     */
    @WithDefault("false")
    boolean allowPrivate();

    /** How often the fan-out and the deliverer look for work (new events also wake them). */
    @WithDefault("1s")
    Duration poll();

    /**
     * Delay before each attempt of a delivery: the first entry before the first attempt (after the event), and so
     * on; a delivery whose last attempt failed is given up. The default (Standard Webhooks) spans about 27 hours.
     */
    @WithDefault("0s,5s,5m,30m,2h,5h,10h,10h")
    List<Duration> retrySchedule();

    /** Time one attempt may take: connect, send, and the response's status and first bytes. */
    @WithDefault("10s")
    Duration timeout();

    /** Attempts running at once on this replica. */
    @WithDefault("8")
    int concurrency();

    /** A claimed delivery is held this long; after a crash another replica retries it once this has run out. */
    @WithDefault("1m")
    Duration lease();

    /** Webhooks one user may hold (admin-wide ones count for the administrator who created them). */
    @WithDefault("10")
    int maxPerUser();

    /**
     * A webhook is disabled after this many deliveries in a row failed every attempt of the retry schedule
     * (with the default schedule: at least 27 hours of failure). A 410 Gone disables it at once.
     */
    @WithDefault("3")
    int disableAfter();

    /** Delivered and failed deliveries are kept this long for the deliveries listing. */
    @WithDefault("7d")
    Duration retention();
}
