package dev.mailsync.events;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;

import javax.sql.DataSource;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.postgresql.PGConnection;

import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;

/**
 * Follows the event log for this replica's event streams, with one thread and one database connection whatever the
 * number of streams. The thread LISTENs on {@code mailsync_event} (every transaction that writes events notifies
 * it, on any replica) and on each notification reads the settled events after the last one it handed over and
 * publishes them to {@link EventStreams} (and fires {@link EventsSettled}). An event becomes readable only once every older transaction has ended,
 * so while committed events are still held back the log is read again every {@link #SETTLE}; and every
 * {@code mailsync.events.poll} anyway, in case a notification was lost. A lost connection is opened again with
 * backoff, and the events written meanwhile are read then. A Vert.x timer sends the heartbeats.
 * <p>
 * At SIGTERM the streams end at once (a JVM shutdown hook: Quarkus drains HTTP requests before its shutdown
 * event, and an open stream would hold that drain for {@code quarkus.shutdown.timeout}); clients reconnect to
 * another replica with {@code Last-Event-ID}.
 */
@ApplicationScoped
public class EventTail {

    /** How soon the log is read again while committed events wait for older transactions. */
    static final Duration SETTLE = Duration.ofMillis(500);
    private static final Duration MIN_BACKOFF = Duration.ofMillis(500);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);
    private static final int PAGE = 500;

    private final DataSource dataSource;
    private final EventLog log;
    private final EventStreams streams;
    private final EventMetrics metrics;
    private final EventsConfig config;
    private final Vertx vertx;
    private final jakarta.enterprise.event.Event<EventsSettled> settled;
    private volatile boolean running;
    private Thread thread;
    private Thread shutdownHook;
    private long heartbeatTimer;

    public EventTail(DataSource dataSource, EventLog log, EventStreams streams, EventMetrics metrics,
            EventsConfig config, Vertx vertx, jakarta.enterprise.event.Event<EventsSettled> settled) {
        this.dataSource = dataSource;
        this.log = log;
        this.streams = streams;
        this.metrics = metrics;
        this.config = config;
        this.vertx = vertx;
        this.settled = settled;
    }

    void start(@Observes StartupEvent event) {
        streams.startAt(log.latest());
        running = true;
        thread = new Thread(this::run, "mailsync-event-tail");
        thread.setDaemon(true);
        thread.start();
        heartbeatTimer = vertx.setPeriodic(config.heartbeat().toMillis(), id -> streams.heartbeat());
        shutdownHook = new Thread(streams::endAll, "mailsync-event-streams-end");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    void stop(@Observes ShutdownEvent event) {
        running = false;
        streams.endAll();
        vertx.cancelTimer(heartbeatTimer);
        thread.interrupt();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException e) {
            // the JVM is exiting: the hook has run
        }
    }

    private void run() {
        Duration backoff = MIN_BACKOFF;
        while (running) {
            try (Connection connection = dataSource.getConnection();
                    Statement statement = connection.createStatement()) {
                statement.execute("LISTEN mailsync_event");
                PGConnection notifications = connection.unwrap(PGConnection.class);
                backoff = MIN_BACKOFF;
                boolean unsettled = readOn();
                while (running) {
                    notifications.getNotifications((int) (unsettled ? SETTLE : config.poll()).toMillis());
                    unsettled = readOn();
                }
            } catch (SQLException | RuntimeException e) {
                if (!running) {
                    return;
                }
                metrics.reconnect();
                Log.warnf("Event notifications interrupted (%s); listening again in %d ms", e.getMessage(),
                        backoff.toMillis());
                try {
                    Thread.sleep(backoff.toMillis());
                } catch (InterruptedException interrupted) {
                    return;
                }
                backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
            }
        }
    }

    /**
     * Publishes every settled event after the last one published (and tells {@link EventsSettled} observers when there
     * were any); answers whether committed ones wait to settle.
     */
    private boolean readOn() {
        List<Event> page;
        boolean any = false;
        do {
            page = log.after(streams.position(), PAGE);
            streams.publish(page);
            any |= !page.isEmpty();
        } while (page.size() == PAGE && running);
        if (any) {
            settled.fireAsync(new EventsSettled());
        }
        return log.unsettledAfter(streams.position());
    }
}
