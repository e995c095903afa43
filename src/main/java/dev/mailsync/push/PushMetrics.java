package dev.mailsync.push;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.inject.Singleton;

import dev.mailsync.sync.MailboxSyncer;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;

/**
 * Push metrics ({@code mailsync_push_*}): what this replica watches now, what the servers told it, the folder passes
 * that followed and the reconnections. No label carries a mailbox, an address or a folder name; every counter exists
 * at zero from start-up.
 */
@Startup
@Singleton
public class PushMetrics {

    static final List<String> EVENT_KINDS = List.of("EXISTS", "EXPUNGE", "FETCH");

    private final MeterRegistry registry;
    private final AtomicInteger mailboxes = new AtomicInteger();
    private final AtomicInteger idling = new AtomicInteger();

    public PushMetrics(MeterRegistry registry) {
        this.registry = registry;
        Gauge.builder("mailsync.push.mailboxes", mailboxes, AtomicInteger::get)
                .description("Mailboxes this replica watches (holds the watch lease of)").register(registry);
        Gauge.builder("mailsync.push.connections", idling, AtomicInteger::get)
                .description("Connections in IDLE on this replica").register(registry);
        EVENT_KINDS.forEach(this::events);
        for (MailboxSyncer.FolderPass outcome : MailboxSyncer.FolderPass.values()) {
            passes(outcome);
        }
        for (IdleConnection.End end : IdleConnection.End.values()) {
            if (end != IdleConnection.End.STOPPED) {
                reconnects(end);
            }
        }
    }

    void watching(int count) {
        mailboxes.set(count);
    }

    /** A connection entered IDLE ({@code +1}) or left it ({@code -1}). */
    void idling(int delta) {
        idling.addAndGet(delta);
    }

    void event(String kind) {
        events(kind).increment();
    }

    void pass(MailboxSyncer.FolderPass outcome) {
        passes(outcome).increment();
    }

    /** A connection ended other than by {@code stop} and will be opened again (or the mailbox left alone). */
    void reconnect(IdleConnection.End why) {
        reconnects(why).increment();
    }

    private Counter events(String kind) {
        return Counter.builder("mailsync.push.events").description("Untagged IDLE responses that reported a change")
                .tag("kind", kind.toLowerCase()).register(registry);
    }

    private Counter passes(MailboxSyncer.FolderPass outcome) {
        return Counter.builder("mailsync.push.passes").description("Folder passes started by push, by outcome")
                .tag("outcome", outcome.name().toLowerCase()).register(registry);
    }

    private Counter reconnects(IdleConnection.End why) {
        return Counter.builder("mailsync.push.disconnects")
                .description("Push connections that ended other than by a stop, by reason")
                .tag("reason", why.name().toLowerCase()).register(registry);
    }
}
