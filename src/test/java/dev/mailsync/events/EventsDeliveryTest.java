package dev.mailsync.events;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.stream.LongStream;

import jakarta.inject.Inject;

import org.awaitility.Awaitility;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.mailsync.events.SseClient.Received;
import io.restassured.RestAssured;
import dev.mailsync.support.MailboxTestBase;
import dev.mailsync.support.Mailboxes;
import dev.mailsync.support.MailsyncTest;
import dev.mailsync.support.Management;
import dev.mailsync.support.TestUsers;

/**
 * How events reach the streams: through PostgreSQL's notifications (from any connection, as from another replica),
 * held back until older transactions end, after the listener's connection was cut, and with no thread per stream.
 * (The tests run with {@code mailsync.events.poll=10m}: only a notification or the settling re-read wakes the
 * listener.)
 */
@MailsyncTest
class EventsDeliveryTest extends MailboxTestBase {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @Inject
    EventStreams streams;
    @Inject
    EventLog events;

    String bearer;
    UUID mailboxId;

    @BeforeEach
    void connectMailbox() {
        bearer = TestUsers.bearer("sse-" + UUID.randomUUID());
        mailboxId = UUID.fromString(Mailboxes.connect(fake, bearer, Mailboxes.newAccount(mail)));
    }

    @Test
    void shouldDeliverAnEventWrittenOnAnotherConnection() throws Exception {
        try (SseClient client = SseClient.open(bearer); Connection replica = otherReplica()) {
            client.next(WAIT);
            insertEvent(replica, 7);
            assertThat(client.events(1, WAIT)).extracting(Received::type).containsExactly("message.created");
        }
    }

    @Test
    void shouldHoldAnEventBackUntilOlderTransactionsEnded() throws Exception {
        try (SseClient client = SseClient.open(bearer); Connection slow = otherReplica();
                Connection fast = otherReplica()) {
            client.next(WAIT);
            slow.setAutoCommit(false);
            slow.createStatement().execute("select pg_current_xact_id()");
            insertEvent(fast, 8); // committed and notified, but an older transaction might still write before it

            assertThat(client.eventsWithin(Duration.ofMillis(1500))).isEmpty();
            slow.commit(); // writes no event, so notifies nothing: the settling re-read finds it

            assertThat(client.events(1, WAIT)).extracting(Received::type).containsExactly("message.created");
        }
    }

    @Test
    void shouldListenAgainAfterItsConnectionWasCut() throws Exception {
        try (SseClient client = SseClient.open(bearer); Connection replica = otherReplica()) {
            client.next(WAIT);
            var cut = replica.createStatement().executeQuery("""
                    select count(pg_terminate_backend(pid)) from pg_stat_activity
                    where query = 'LISTEN mailsync_event' and pid <> pg_backend_pid()""");
            cut.next();
            assertThat(cut.getInt(1)).isEqualTo(1);
            insertEvent(replica, 9); // perhaps before the listener is back: read when it is

            assertThat(client.events(1, WAIT)).extracting(Received::type).containsExactly("message.created");
            Awaitility.await().atMost(WAIT).until(() -> listening(replica));
        }
    }

    @Test
    void shouldHoldNoThreadPerOpenStream() throws Exception {
        long workersBefore = threads("executor-thread");
        List<SseClient> clients = new ArrayList<>();
        List<String> users = new ArrayList<>();
        try {
            for (int i = 0; i < 20; i++) {
                if (i % 5 == 0) {
                    users.add(TestUsers.bearer("sse-many-" + UUID.randomUUID()));
                }
                clients.add(SseClient.open(users.get(i / 5)));
                assertThat(clients.get(i).status()).isEqualTo(200);
            }
            assertThat(streams.count()).isGreaterThanOrEqualTo(20);

            // every stream is alive (each gets a heartbeat), yet no thread runs or waits in the events code but the
            // one listener, and the worker pool did not grow by a thread per stream
            for (SseClient client : clients) {
                Awaitility.await().atMost(WAIT).until(() -> {
                    Received next = client.next(Duration.ofSeconds(2));
                    return next != null && "heartbeat".equals(next.comment());
                });
            }
            // (a heartbeat or a read may be caught running: the listener is alone at some moment)
            Awaitility.await().atMost(WAIT).untilAsserted(() -> assertThat(threadsIn("dev.mailsync.events."))
                    .containsExactly("mailsync-event-tail"));
            assertThat(threads("executor-thread")).isLessThan(workersBefore + 20);
            given().header("Authorization", bearer).get("/api/v1/mailboxes").then().statusCode(200);
        } finally {
            clients.forEach(SseClient::close);
        }
        Awaitility.await().atMost(WAIT).until(() -> streams.count() == 0);
    }

    @Test
    void shouldDropAStreamWhoseClientDoesNotReadInsteadOfBufferingWithoutBound() throws Exception {
        double droppedBefore = metric("mailsync_events_streams_dropped_total");
        try (Socket socket = new Socket()) {
            socket.setReceiveBufferSize(4096); // a client that reads nothing: its window fills at once
            socket.connect(new InetSocketAddress("localhost", RestAssured.port));
            socket.getOutputStream().write(("GET /api/v1/events HTTP/1.1\r\nHost: localhost\r\nAccept: "
                    + "text/event-stream\r\nAuthorization: " + bearer + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            Awaitility.await().atMost(WAIT).until(() -> streams.count() == 1);

            // far more than mailsync.events.buffer (500) plus what the sockets hold
            events.messages(mailboxId, EventType.MESSAGE_CREATED, "INBOX",
                    LongStream.rangeClosed(1, 3000).boxed().toList(), true);

            Awaitility.await().atMost(WAIT).until(() -> streams.count() == 0);
            assertThat(metric("mailsync_events_streams_dropped_total")).isEqualTo(droppedBefore + 1);
            // what was written ends with the end of the chunked response: the client resumes from its last id
            socket.setSoTimeout((int) WAIT.toMillis());
            String response = new String(socket.getInputStream().readNBytes(64), StandardCharsets.US_ASCII);
            assertThat(response).startsWith("HTTP/1.1 200");
            byte[] tail = new byte[5];
            ByteArrayOutputStream rest = new ByteArrayOutputStream();
            InputStream in = socket.getInputStream();
            while (!new String(tail, StandardCharsets.US_ASCII).equals("0\r\n\r\n")) {
                int b = in.read();
                assertThat(b).as("the response ends").isNotNegative();
                System.arraycopy(tail, 1, tail, 0, 4);
                tail[4] = (byte) b;
                rest.write(b);
            }
            assertThat(rest.toString(StandardCharsets.UTF_8)).contains("event:message.created");
        }
    }

    private static double metric(String series) {
        return Management.management().get("/q/metrics").then().statusCode(200).extract().asString().lines()
                .filter(l -> l.startsWith(series + " ")).map(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                .findFirst().orElseThrow(() -> new AssertionError(series + " is not published"));
    }

    private static long threads(String prefix) {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith(prefix)).count();
    }

    /** Names of the threads with a frame of a class in the package. */
    private static List<String> threadsIn(String packagePrefix) {
        ThreadInfo[] infos = ManagementFactory.getThreadMXBean().dumpAllThreads(false, false);
        return Arrays.stream(infos).filter(info -> Arrays.stream(info.getStackTrace())
                .anyMatch(frame -> frame.getClassName().startsWith(packagePrefix)
                        && !frame.getClassName().contains("Test") && !frame.getClassName().contains("SseClient")))
                .map(ThreadInfo::getThreadName).toList();
    }

    private void insertEvent(Connection connection, long messageId) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement("""
                insert into event (user_id, mailbox_id, type, message_id, folder)
                select user_id, id, 'message.created', ?, 'INBOX' from mailbox where id = ?""")) {
            insert.setLong(1, messageId);
            insert.setObject(2, mailboxId);
            assertThat(insert.executeUpdate()).isEqualTo(1);
        }
    }

    private static boolean listening(Connection connection) throws SQLException {
        var rs = connection.createStatement().executeQuery(
                "select count(*) from pg_stat_activity where query = 'LISTEN mailsync_event'");
        rs.next();
        return rs.getInt(1) == 1;
    }

    /** A connection of its own, outside the service's pool: as another replica's. */
    private static Connection otherReplica() throws SQLException {
        var config = ConfigProvider.getConfig();
        return DriverManager.getConnection(config.getValue("quarkus.datasource.jdbc.url", String.class),
                config.getOptionalValue("quarkus.datasource.username", String.class).orElse("postgres"),
                config.getOptionalValue("quarkus.datasource.password", String.class).orElse(""));
    }
}
