package dev.mailsync.push;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.lang.reflect.Proxy;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import jakarta.inject.Inject;

import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.icegreen.greenmail.store.MailFolder;

import dev.mailsync.common.MailSockets;
import dev.mailsync.common.db.Jdbc;
import dev.mailsync.imap.ConnectionPermits;
import dev.mailsync.imap.ImapBackoff;
import dev.mailsync.imap.ImapConfig;
import dev.mailsync.imap.ImapLogins;
import dev.mailsync.support.MailboxTestBase;
import dev.mailsync.support.Mailboxes;
import dev.mailsync.support.MailsyncTest;
import dev.mailsync.support.TestUsers;
import io.vertx.core.Vertx;

/**
 * Push against GreenMail (which offers IDLE): replicas of their own names, each polled by the test as the scheduler
 * would poll it, with short leases and renewals. The other tests' mailboxes are parked (held by no replica here and
 * not watchable), so the replicas here watch and count only this test's mailboxes.
 */
@MailsyncTest
class PushTest extends MailboxTestBase {

    private static final Duration SOON = Duration.ofSeconds(20);

    @Inject
    Jdbc jdbc;
    @Inject
    PushConfig pushConfig;
    @Inject
    PushMetrics metrics;
    @Inject
    PushPasses passes;
    @Inject
    ImapLogins logins;
    @Inject
    ImapConfig imapConfig;
    @Inject
    MailSockets sockets;
    @Inject
    Vertx vertx;
    @Inject
    ConnectionPermits permits;
    @Inject
    ImapBackoff imapBackoff;

    private final List<Watchers> replicas = new ArrayList<>();
    private final List<IdleConnector> connectors = new ArrayList<>();
    private String bearer;

    @BeforeEach
    void parkOtherMailboxes() throws Exception {
        bearer = TestUsers.bearer("push-" + UUID.randomUUID());
        sql.execute("insert into mailbox_watch (mailbox_id) select id from mailbox on conflict do nothing");
        sql.execute("""
                update mailbox_watch set lease_owner = 'parked', lease_until = now() + interval '1 hour',
                    idle_supported = false, checked_at = now()""");
        sql.execute("delete from push_replica");
    }

    @AfterEach
    void stopReplicas() {
        replicas.forEach(r -> {
            r.leave();
            r.close();
        });
        connectors.forEach(IdleConnector::close);
        imapProxy.rewrite(null, null);
    }

    @Test
    void shouldListNewMailWithinSecondsWithoutARequestedPass() throws Exception {
        Account a = account();
        Watchers replica = replica("a", Duration.ofSeconds(30), Duration.ofMinutes(25));

        replica.poll();
        awaitIdling(replica, a, "INBOX");
        Mailboxes.append(a.inbox, "Pushed at once", "hello", null);

        awaitListed(a, "Pushed at once");
        assertThat(sql.text("select lease_owner from mailbox_watch where mailbox_id = ?", a.id))
                .isEqualTo(replica.owner());
        assertThat(sql.list("select unnest(folders) from mailbox_watch where mailbox_id = ?", a.id))
                .containsExactly("INBOX");
    }

    @Test
    void shouldIssueIdleAgainAtEachRenewalAndStillHearNews() throws Exception {
        Account a = account();
        Watchers replica = replica("a", Duration.ofSeconds(30), Duration.ofMillis(300));
        int donesBefore = count(imapProxy.clientTranscript(), "DONE\r\n");

        replica.poll();
        awaitIdling(replica, a, "INBOX");
        await()
                .until(() -> count(imapProxy.clientTranscript(), "DONE\r\n") >= donesBefore + 3);
        Mailboxes.append(a.inbox, "After renewals", "hello", null);

        awaitListed(a, "After renewals");
    }

    @Test
    void shouldReconnectAfterTheConnectionIsCutAndCatchUp() throws Exception {
        Account a = account();
        Watchers replica = replica("a", Duration.ofSeconds(30), Duration.ofMinutes(25));
        replica.poll();
        awaitIdling(replica, a, "INBOX");
        int connections = imapProxy.connections();

        imapProxy.cutOpenConnections();
        Mailboxes.append(a.inbox, "While cut", "hello", null); // no one hears this EXISTS

        await().until(() -> imapProxy.connections() > connections);
        awaitIdling(replica, a, "INBOX");
        awaitListed(a, "While cut"); // the reconnection's catch-up pass
        Mailboxes.append(a.inbox, "After the cut", "hello", null);
        awaitListed(a, "After the cut");
    }

    @Test
    void shouldBackTheMailboxOffWhenTheServerThrottlesTheWatchAndComeBackAfterwards() throws Exception {
        Account a = account();
        Watchers replica = replica("a", Duration.ofSeconds(30), Duration.ofMinutes(25));
        imapFront.throttle(a.address, "EXAMINE", "BAD", 3000, false, 1);
        int logins = imapFront.logins(a.address);

        replica.poll();

        // the throttling reply backs the whole mailbox off (sync and API too, every replica) for what Exchange asked
        await().until(() -> sql.count("select count(*) from imap_backoff where mailbox_id = ? and what = 'push'",
                a.id) == 1);
        Instant until = Instant.parse(sql.text(
                "select to_char(until at time zone 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"') from imap_backoff "
                        + "where mailbox_id = ?", a.id));
        assertThat(imapFront.logins(a.address) - logins).as("the throttled login only").isEqualTo(1);
        awaitIdling(replica, a, "INBOX");
        assertThat(Instant.now()).as("no reconnection before the backoff ran out").isAfterOrEqualTo(until);
        Mailboxes.append(a.inbox, "After the pause", "hello", null);
        awaitListed(a, "After the pause");
    }

    @Test
    void shouldMoveAWatchToAnotherReplicaAtReleaseAndWhenItsLeaseRunsOut() throws Exception {
        Account a = account();
        Watchers first = replica("first", Duration.ofSeconds(2), Duration.ofMinutes(25));
        Watchers second = replica("second", Duration.ofSeconds(2), Duration.ofMinutes(25));
        first.poll();
        awaitIdling(first, a, "INBOX");
        second.poll();
        assertThat(second.watched()).isEmpty(); // one replica per mailbox

        first.leave(); // SIGTERM
        second.poll();
        awaitIdling(second, a, "INBOX");
        Mailboxes.append(a.inbox, "Watched by the second", "hello", null);
        awaitListed(a, "Watched by the second");

        // the second stops polling (a dead replica): its lease runs out and a third takes over
        Watchers third = replica("third", Duration.ofSeconds(2), Duration.ofMinutes(25));
        await().pollInterval(Duration.ofMillis(500)).until(() -> {
            third.poll();
            return third.watched().contains(a.id);
        });
        awaitIdling(third, a, "INBOX");
        second.poll(); // back from the dead: its watch was lost, so it stops
        assertThat(second.watched()).isEmpty();
        assertThat(sql.text("select lease_owner from mailbox_watch where mailbox_id = ?", a.id))
                .isEqualTo(third.owner());
    }

    @Test
    void shouldShareTheWatchesEvenlyBetweenReplicas() throws Exception {
        Account a = account();
        Account b = account();
        Account c = account();
        Watchers first = replica("first", Duration.ofSeconds(30), Duration.ofMinutes(25));
        Watchers second = replica("second", Duration.ofSeconds(30), Duration.ofMinutes(25));
        first.poll();
        assertThat(first.watched()).containsExactlyInAnyOrder(a.id, b.id, c.id);

        second.poll(); // a replica joins: nothing is free yet
        first.poll(); // the first sees two replicas and gives back above ceil(3 / 2)
        second.poll();

        assertThat(first.watched()).hasSize(2);
        assertThat(second.watched()).hasSize(1);
        assertThat(sql.count("select count(distinct lease_owner) from mailbox_watch where mailbox_id in (?, ?, ?)",
                a.id, b.id, c.id)).isEqualTo(2);
    }

    @Test
    void shouldWatchPushedFoldersWithinTheBudgetOnly() throws Exception {
        Account a = account();
        Mailboxes.folder(mail, a.address, "Archive");
        Mailboxes.folder(mail, a.address, "Projects");
        pass(a.id); // the new folders are stored
        for (String folder : List.of("Archive", "Projects")) {
            given().header("Authorization", bearer).contentType("application/json")
                    .body("{\"sync\": true, \"push\": true}").put("/api/v1/mailboxes/" + a.id + "/folders/" + folder)
                    .then().statusCode(200).body("push", equalTo(true));
        }
        given().header("Authorization", bearer).contentType("application/json")
                .body("{\"sync\": false, \"push\": true}").put("/api/v1/mailboxes/" + a.id + "/folders/Projects")
                .then().statusCode(400).body("code", equalTo("validation_failed"));
        Watchers replica = replica("a", Duration.ofSeconds(30), Duration.ofMinutes(25));

        replica.poll();

        await().until(() -> replica.idling(a.id).size() == 2);
        assertThat(replica.idling(a.id)).containsExactlyInAnyOrder("INBOX", "Archive"); // budget 2; Projects polls
        Mailboxes.append(Mailboxes.folder(mail, a.address, "Archive"), "Pushed in the archive", "hello", null);
        awaitListed(a, "Pushed in the archive");
    }

    @Test
    void shouldLeaveAServerWithoutIdleToThePeriodicPass() throws Exception {
        Account a = account();
        imapProxy.rewrite(" IDLE ", " XIDL "); // GreenMail's CAPABILITY without IDLE, same length
        Watchers replica = replica("a", Duration.ofSeconds(30), Duration.ofMinutes(25));

        replica.poll();

        await().until(() -> "false".equals(
                sql.text("select idle_supported::text from mailbox_watch where mailbox_id = ?", a.id)));
        assertThat(replica.watched()).doesNotContain(a.id);
        assertThat(sql.text("select lease_owner from mailbox_watch where mailbox_id = ?", a.id)).isNull();
        replica.poll();
        assertThat(replica.watched()).isEmpty(); // not claimed again until mailsync.push.idle-recheck
    }

    /** A connected mailbox whose first pass has run (its INBOX is stored, so there is a folder to watch). */
    private Account account() throws Exception {
        String address = Mailboxes.newAccount(mail);
        MailFolder inbox = Mailboxes.folder(mail, address, "INBOX");
        UUID id = UUID.fromString(Mailboxes.connect(fake, bearer, address));
        pass(id);
        return new Account(id, address, inbox);
    }

    private record Account(UUID id, String address, MailFolder inbox) {
    }

    private void pass(UUID id) {
        assertThat(leases.claim(id, "test")).as("mailbox is free").isTrue();
        syncer.runPass(id, "test");
    }

    private Watchers replica(String name, Duration lease, Duration renew) {
        PushConfig config = config(lease, renew);
        IdleConnector connector = new IdleConnector(vertx, imapConfig, config, sockets, permits, imapBackoff);
        connectors.add(connector);
        Watchers replica = new Watchers(new WatchLeases(jdbc, config), config, metrics, connector, logins, passes,
                vertx, name + "-" + UUID.randomUUID());
        replicas.add(replica);
        return replica;
    }

    /** The application's push settings, with this lease and renewal and quick reconnections. */
    private PushConfig config(Duration lease, Duration renew) {
        return (PushConfig) Proxy.newProxyInstance(PushConfig.class.getClassLoader(), new Class<?>[] { PushConfig.class },
                (proxy, method, args) -> switch (method.getName()) {
                    case "lease" -> lease;
                    case "idleRenew" -> renew;
                    case "reconnectMin" -> Duration.ofMillis(100);
                    case "reconnectMax" -> Duration.ofSeconds(1);
                    default -> method.invoke(pushConfig, args);
                });
    }

    /**
     * Waits up to 20 s. GreenMail's connection threads die with an uncaught exception when the proxy cuts their
     * client (the reconnection test does it on purpose): that is not this test's failure.
     */
    private static ConditionFactory await() {
        return Awaitility.await().dontCatchUncaughtExceptions().atMost(SOON);
    }

    private static void awaitIdling(Watchers replica, Account a, String folder) {
        await().until(() -> replica.idling(a.id).contains(folder));
    }

    private void awaitListed(Account a, String subject) {
        await().pollInterval(Duration.ofMillis(200)).until(() -> given()
                .header("Authorization", bearer).get("/api/v1/mailboxes/" + a.id + "/messages").then().statusCode(200)
                .extract().jsonPath().getList("items.subject").contains(subject));
    }

    private static int count(String text, String part) {
        int n = 0;
        for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) {
            n++;
        }
        return n;
    }
}
