package dev.mailsync.imap;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;

import dev.mailsync.common.db.Jdbc;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.quarkus.runtime.Startup;

/**
 * Mailboxes whose IMAP server throttled us, and until when: every replica sees it (table {@code imap_backoff}), and
 * this replica keeps what it knows in memory, so that a pooled API session checks it without a query. While a
 * mailbox backs off, nothing opens a connection to its server: not the sync, not push watchers, not the API. Each
 * throttling reply counts in {@code mailsync_imap_throttled_total}, by what was throttled.
 */
@Startup // its counters exist at zero from start-up
@ApplicationScoped
public class ImapBackoff {

    /** The labels of {@code mailsync_imap_throttled_total}: a login, or a command of one of the {@link ImapUse}s. */
    static final String LOGIN = "login";

    private final Jdbc jdbc;
    private final MeterRegistry registry;
    private final Map<UUID, Instant> known = new ConcurrentHashMap<>();

    public ImapBackoff(Jdbc jdbc, MeterRegistry registry) {
        this.jdbc = jdbc;
        this.registry = registry;
        counter(LOGIN);
        for (ImapUse use : ImapUse.values()) {
            counter(use.label());
        }
    }

    /** Until when the mailbox backs off, if it does now (as any replica recorded it). */
    public Optional<Instant> backoffUntil(UUID mailboxId) {
        Optional<Instant> local = known(mailboxId);
        if (local.isPresent()) {
            return local;
        }
        Optional<Instant> shared = jdbc.optional("select until from imap_backoff where mailbox_id = ? and until > now()",
                rs -> Jdbc.instant(rs, 1), mailboxId);
        shared.ifPresent(until -> known.merge(mailboxId, until, ImapBackoff::later));
        return shared;
    }

    /**
     * Fails when the mailbox backs off now (as any replica recorded it).
     *
     * @throws ImapThrottled until when
     */
    public void check(UUID mailboxId) {
        Optional<Instant> until = backoffUntil(mailboxId);
        if (until.isPresent()) {
            throw new ImapThrottled(mailboxId, until.get());
        }
    }

    /** Like {@link #check}, from what this replica knows only (no query): for sessions that are already open. */
    void checkKnown(UUID mailboxId) {
        Optional<Instant> until = known(mailboxId);
        if (until.isPresent()) {
            throw new ImapThrottled(mailboxId, until.get());
        }
    }

    /**
     * When {@code failure} is a throttling reply (anywhere in its causes), records the backoff it asks for and
     * answers the exception to throw instead; empty for any other failure.
     *
     * @param what the metric label: {@code login}, or the {@link ImapUse#label()} of the connection's user
     */
    public Optional<ImapThrottled> recognise(UUID mailboxId, Throwable failure, String what) {
        if (failure instanceof ImapThrottled throttled) {
            return Optional.of(throttled);
        }
        return ThrottleReplies.backoff(failure).map(backoff -> throttled(mailboxId, backoff, what));
    }

    /** Records that the server throttled the mailbox and asked for {@code backoff}. */
    public ImapThrottled throttled(UUID mailboxId, Duration backoff, String what) {
        Instant until = known.merge(mailboxId, Instant.now().plus(backoff), ImapBackoff::later);
        counter(what).increment();
        Log.warnf("The IMAP server throttled mailbox %s (%s): no IMAP until %s", mailboxId, what, until);
        try {
            jdbc.update("""
                    insert into imap_backoff (mailbox_id, until, what) values (?, ?, ?)
                    on conflict (mailbox_id) do update set until = greatest(imap_backoff.until, excluded.until),
                        what = excluded.what""", mailboxId, until, what);
        } catch (RuntimeException e) {
            // this replica still knows; the others learn of it from their own next throttled reply
            Log.warnf("Could not record the IMAP backoff of mailbox %s: %s", mailboxId, e.getMessage());
        }
        return new ImapThrottled(mailboxId, until);
    }

    private Optional<Instant> known(UUID mailboxId) {
        Instant until = known.get(mailboxId);
        if (until == null) {
            return Optional.empty();
        }
        if (until.isAfter(Instant.now())) {
            return Optional.of(until);
        }
        known.remove(mailboxId, until);
        return Optional.empty();
    }

    private static Instant later(Instant a, Instant b) {
        return a.isAfter(b) ? a : b;
    }

    private Counter counter(String what) {
        return Counter.builder("mailsync.imap.throttled")
                .description("Throttling replies of IMAP servers, by what was throttled (login, sync, push, api, outbox)")
                .tag("what", what).register(registry);
    }
}
