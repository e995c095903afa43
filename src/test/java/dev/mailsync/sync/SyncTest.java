package dev.mailsync.sync;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.nullValue;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.time.Duration;

import jakarta.inject.Inject;
import jakarta.mail.Flags;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.icegreen.greenmail.store.MailFolder;
import com.icegreen.greenmail.util.GreenMail;

import dev.mailsync.common.crypto.SecretCipher;
import dev.mailsync.common.crypto.SecretColumn;
import dev.mailsync.message.MessageFlags;
import dev.mailsync.message.MimeReader;
import dev.mailsync.message.NewMessage;
import dev.mailsync.message.ParsedMessage;
import dev.mailsync.support.Mailboxes;
import dev.mailsync.support.TestUsers;
import dev.mailsync.support.MailsyncTest;
import dev.mailsync.support.MailboxTestBase;

/** Sync passes against GreenMail (IMAP with XOAUTH2) and the fake identity platform, on real PostgreSQL. */
@MailsyncTest
class SyncTest extends MailboxTestBase {

    @Inject
    SecretCipher cipher;

    @Inject
    MessageWriter writer;

    @Inject
    dev.mailsync.message.MessageStore store;

    String bearer;
    String address;
    MailFolder inbox;

    @BeforeEach
    void setUp() throws Exception {
        bearer = TestUsers.bearer("sync-" + UUID.randomUUID());
        address = Mailboxes.newAccount(mail);
        inbox = Mailboxes.folder(mail, address, "INBOX");
    }

    @Test
    void shouldSyncInboxAndSentAndNothingElseAtFirst() throws Exception {
        for (int i = 1; i <= 25; i++) {
            Mailboxes.append(inbox, "Grüße Nummer " + i, "Hallo " + i, i % 2 == 0 ? new Flags(Flags.Flag.SEEN) : null);
        }
        Mailboxes.append(Mailboxes.folder(mail, address, "Sent Items"), "Sent one", "body", null);
        Mailboxes.append(Mailboxes.folder(mail, address, "Archive"), "Archived", "body", null);
        String id = Mailboxes.connect(fake, bearer, address);

        pass(id);

        assertThat(sql.count("select count(*) from message m join folder f on f.id = m.folder_id where f.mailbox_id = "
                + "? and f.name = 'INBOX'", id)).isEqualTo(25);
        assertThat(sql.count("select count(*) from message m join folder f on f.id = m.folder_id where f.mailbox_id = "
                + "? and f.name = 'Sent Items'", id)).isEqualTo(1);
        assertThat(sql.count("select count(*) from message m join folder f on f.id = m.folder_id where f.mailbox_id = "
                + "? and f.name = 'Archive'", id)).isZero();
        assertThat(sql.count("select count(*) from message where mailbox_id = ? and subject = 'Grüße Nummer 7' and "
                + "from_addr->0->>'name' = 'Sender Name' and not seen", id)).isEqualTo(1);
        given().header("Authorization", bearer).get("/api/v1/mailboxes/" + id + "/sync")
                .then().statusCode(200)
                .body("state", equalTo("idle"))
                .body("lastError", nullValue())
                .body("lastSuccessAt", org.hamcrest.Matchers.notNullValue())
                .body("folders.find { it.name == 'INBOX' }.messages", equalTo(25))
                .body("folders.find { it.name == 'Sent Items' }.messages", equalTo(1));
        given().header("Authorization", bearer).get("/api/v1/mailboxes/" + id + "/folders")
                .then().statusCode(200)
                .body("find { it.name == 'INBOX' }.unseen", equalTo(13))
                .body("find { it.name == 'Sent Items' }.specialUse", equalTo("\\Sent"))
                .body("find { it.name == 'Archive' }.sync", equalTo(false));
        given().header("Authorization", bearer).get("/api/v1/mailboxes/" + id)
                .then().body("sync.state", equalTo("idle"));
    }

    @Test
    void shouldLogInWithXoauth2Only() throws Exception {
        String id = Mailboxes.connect(fake, bearer, address);
        int before = imapProxy.clientTranscript().length();

        pass(id);

        String sent = imapProxy.clientTranscript().substring(before);
        assertThat(sent).contains("AUTHENTICATE XOAUTH2").doesNotContain(" LOGIN ").doesNotContain("AUTHENTICATE PLAIN");
        // a token the server does not accept fails the pass; nothing falls back to a password login
        mail.setUser(address, address, "something-else");
        pass(id);
        given().header("Authorization", bearer).get("/api/v1/mailboxes/" + id + "/sync")
                .then().body("lastError.code", equalTo("imap_auth_failed"));
    }

    @Test
    void shouldSyncEachMailboxOnceWithTwoSchedulersOnOneDatabase() throws Exception {
        sql.execute("update mailbox_sync set next_run_at = now() + interval '1 day'"); // other tests' mailboxes
        List<String> ids = new ArrayList<>();
        for (int n = 0; n < 4; n++) {
            String account = n == 0 ? address : Mailboxes.newAccount(mail);
            MailFolder folder = Mailboxes.folder(mail, account, "INBOX");
            for (int i = 1; i <= 30; i++) {
                Mailboxes.append(folder, account + " #" + i, "x", null);
            }
            ids.add(Mailboxes.connect(fake, bearer, account));
        }
        java.util.Map<String, java.util.concurrent.atomic.AtomicInteger> running = new java.util.concurrent.ConcurrentHashMap<>();
        java.util.concurrent.atomic.AtomicInteger overlaps = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicInteger passes = new java.util.concurrent.atomic.AtomicInteger();
        Runnable replica = () -> {
            String owner = "replica-" + Thread.currentThread().getName();
            long end = System.nanoTime() + 4_000_000_000L;
            while (System.nanoTime() < end) {
                for (UUID id : leases.claimDue(owner, 2)) {
                    if (running.computeIfAbsent(id.toString(), k -> new java.util.concurrent.atomic.AtomicInteger())
                            .incrementAndGet() > 1) {
                        overlaps.incrementAndGet();
                    }
                    syncer.runPass(id, owner);
                    running.get(id.toString()).decrementAndGet();
                    passes.incrementAndGet();
                    try {
                        sql.execute("update mailbox_sync set next_run_at = now() where mailbox_id = ?", id);
                    } catch (SQLException e) {
                        throw new IllegalStateException(e);
                    }
                }
            }
        };
        Thread a = new Thread(replica, "a");
        Thread b = new Thread(replica, "b");
        a.start();
        b.start();
        a.join();
        b.join();

        assertThat(overlaps.get()).isZero();
        assertThat(passes.get()).isGreaterThan(8);
        for (String id : ids) {
            assertThat(sql.count("select count(*) from message where mailbox_id = ?", id)).isEqualTo(30);
            assertThat(sql.count("select count(distinct uid) from message where mailbox_id = ?", id)).isEqualTo(30);
        }
    }

    @Test
    void shouldFollowNewMailFlagChangesAndDeletions() throws Exception {
        long first = Mailboxes.append(inbox, "one", "1", null);
        long second = Mailboxes.append(inbox, "two", "2", null);
        Mailboxes.append(inbox, "three", "3", null);
        String id = Mailboxes.connect(fake, bearer, address);
        pass(id);

        Mailboxes.append(inbox, "four", "4", null);
        inbox.setFlags(new Flags(Flags.Flag.SEEN), true, first, null, false);
        inbox.setFlags(new Flags(Flags.Flag.FLAGGED), true, first, null, false);
        inbox.setFlags(new Flags(Flags.Flag.DELETED), true, second, null, false);
        inbox.expunge();
        pass(id);

        assertThat(subjects(id)).containsExactlyInAnyOrder("one", "three", "four");
        assertThat(sql.count("select count(*) from message where mailbox_id = ? and subject = 'one' and seen and "
                + "flagged", id)).isEqualTo(1);
        given().header("Authorization", bearer).get("/api/v1/mailboxes/" + id + "/sync")
                .then().body("folders.find { it.name == 'INBOX' }.messages", equalTo(3));
    }

    @Test
    void shouldResyncFolderWhenUidValidityChanges() throws Exception {
        MailFolder folder = Mailboxes.folder(mail, address, "Sent Items");
        Mailboxes.append(folder, "old a", "a", null);
        Mailboxes.append(folder, "old b", "b", null);
        String id = Mailboxes.connect(fake, bearer, address);
        pass(id);
        long before = sql.count("select max(uidvalidity) from folder where mailbox_id = ? and name = 'Sent Items'", id);

        Mailboxes.deleteFolder(mail, address, "Sent Items");
        awaitNextSecond(); // GreenMail derives UIDVALIDITY from the clock, in seconds
        MailFolder recreated = Mailboxes.folder(mail, address, "Sent Items");
        Mailboxes.append(recreated, "new a", "a", null);
        pass(id);

        assertThat(sql.count("select uidvalidity from folder where mailbox_id = ? and name = 'Sent Items'", id))
                .isNotEqualTo(before);
        assertThat(subjects(id)).containsExactlyInAnyOrder("new a");
    }

    @Test
    void shouldRefreshExpiringTokenAndSaveTheRotatedOne() throws Exception {
        fake.accessTokenLifetime(120); // less than the refresh skew: every pass refreshes
        Mailboxes.append(inbox, "hello", "x", null);
        String id = Mailboxes.connect(fake, bearer, address);
        String refreshBefore = cipher.decrypt(sql.text("select refresh_token from mailbox where id = ?",
                id), SecretColumn.MAILBOX_REFRESH_TOKEN.context(id));
        int refreshes = fake.refreshes(); // connecting made one, for Graph's profile

        pass(id);
        pass(id);

        assertThat(fake.refreshes()).isEqualTo(refreshes + 2);
        String refreshAfter = cipher.decrypt(sql.text("select refresh_token from mailbox where id = ?",
                id), SecretColumn.MAILBOX_REFRESH_TOKEN.context(id));
        assertThat(refreshAfter).isNotEqualTo(refreshBefore);
        assertThat(fake.isLiveRefreshToken(refreshAfter)).isTrue();
        assertThat(fake.isLiveRefreshToken(refreshBefore)).isFalse();
        assertThat(subjects(id)).containsExactly("hello");
        given().header("Authorization", bearer).get("/api/v1/mailboxes/" + id + "/sync")
                .then().body("state", equalTo("idle"));
    }

    @Test
    void shouldStopAndAskForReconnectOnInvalidGrant() throws Exception {
        String id = Mailboxes.connect(fake, bearer, address);
        fake.revokeAll();
        expireAccessToken(id);

        pass(id);

        given().header("Authorization", bearer).get("/api/v1/mailboxes/" + id)
                .then().body("state", equalTo("reauth_required"))
                .body("stateReason", org.hamcrest.Matchers.containsString("reconnect"));
        given().header("Authorization", bearer).get("/api/v1/mailboxes/" + id + "/sync")
                .then().body("state", equalTo("reauth_required"))
                .body("lastError.code", equalTo("reauth_required"));
        assertThat(leases.claim(UUID.fromString(id), "test")).isTrue(); // claimable by hand, but not due:
        leases.release(UUID.fromString(id), "test");
        assertThat(leases.claimDue("scheduler", 1000)).doesNotContain(UUID.fromString(id));

        // reconnecting clears it
        Mailboxes.connect(fake, bearer, address);
        given().header("Authorization", bearer).get("/api/v1/mailboxes/" + id + "/sync")
                .then().body("state", equalTo("queued")).body("lastError", nullValue());
    }

    @Test
    void shouldRetryLaterWhenTokenEndpointThrottles() throws Exception {
        String id = Mailboxes.connect(fake, bearer, address);
        expireAccessToken(id);
        fake.failNextTokenRequests(1, 429, null, 600);

        pass(id);

        given().header("Authorization", bearer).get("/api/v1/mailboxes/" + id)
                .then().body("state", equalTo("active"));
        given().header("Authorization", bearer).get("/api/v1/mailboxes/" + id + "/sync")
                .then().body("state", equalTo("error"))
                .body("lastError.code", equalTo("token_unavailable"))
                .body("lastError.message", org.hamcrest.Matchers.containsString("429"));
        assertThat(sql.count("select extract(epoch from next_run_at - now())::bigint from mailbox_sync where "
                + "mailbox_id = ?", id)).isBetween(590L, 600L);
    }

    @Test
    void shouldResumeAfterConnectionCutMidFetchWithoutLossOrDuplicates() throws Exception {
        for (int i = 1; i <= 60; i++) {
            Mailboxes.append(inbox, "message " + i, ("body " + i + " ").repeat(200), null);
        }
        String id = Mailboxes.connect(fake, bearer, address);
        imapProxy.cutNextConnectionAfter(60_000); // a few batches of 10 get through, then the line drops

        pass(id);

        assertThat(imapProxy.cuts()).isPositive();
        given().header("Authorization", bearer).get("/api/v1/mailboxes/" + id + "/sync")
                .then().body("lastError.code", equalTo("imap_error"));
        long partial = sql.count("select count(*) from message where mailbox_id = ?", id);
        assertThat(partial).isBetween(1L, 59L);

        pass(id);

        assertThat(sql.count("select count(*) from message where mailbox_id = ?", id)).isEqualTo(60);
        assertThat(sql.count("select count(distinct subject) from message where mailbox_id = ?", id)).isEqualTo(60);
    }

    @Test
    void shouldLetUserChooseFoldersByEncodedName() throws Exception {
        Mailboxes.append(Mailboxes.folder(mail, address, "Projekt Återkoppling 2026"), "Svar", "hej", null);
        String id = Mailboxes.connect(fake, bearer, address);
        pass(id);

        given().urlEncodingEnabled(false).header("Authorization", bearer).contentType("application/json")
                .body("{\"sync\": true}").put("/api/v1/mailboxes/" + id + "/folders/Projekt%20%C3%85terkoppling%202026")
                .then().statusCode(200).body("sync", equalTo(true));
        pass(id);

        assertThat(subjects(id)).contains("Svar");
        given().header("Authorization", bearer).contentType("application/json").body("{\"sync\": \"maybe\"}")
                .put("/api/v1/mailboxes/" + id + "/folders/INBOX")
                .then().statusCode(400).contentType("application/problem+json");
        given().urlEncodingEnabled(false).header("Authorization", bearer).contentType("application/json")
                .body("{\"sync\": true}").put("/api/v1/mailboxes/" + id + "/folders/Nope%2FNothing")
                .then().statusCode(404).contentType("application/problem+json");
        given().header("Authorization", TestUsers.bearer("intruder")).get("/api/v1/mailboxes/" + id + "/folders")
                .then().statusCode(404);
        given().header("Authorization", bearer).get("/api/v1/mailboxes/" + id + "/folders")
                .then().body("name", hasItem("Projekt Återkoppling 2026"));
    }

    @Test
    void shouldQueueRequestedPassOnce() {
        String id = Mailboxes.connect(fake, bearer, address);
        pass(id);

        given().header("Authorization", bearer).post("/api/v1/mailboxes/" + id + "/sync")
                .then().statusCode(202).body("state", equalTo("queued"));
        given().header("Authorization", bearer).post("/api/v1/mailboxes/" + id + "/sync")
                .then().statusCode(202).body("state", equalTo("queued"));
        given().header("Authorization", TestUsers.bearer("intruder")).post("/api/v1/mailboxes/" + id + "/sync")
                .then().statusCode(404);

        assertThat(leases.claimDue("scheduler-a", 1000)).contains(UUID.fromString(id));
        given().header("Authorization", bearer).get("/api/v1/mailboxes/" + id + "/sync")
                .then().body("state", equalTo("syncing"));
        given().header("Authorization", bearer).post("/api/v1/mailboxes/" + id + "/sync").then().statusCode(202);
        leases.succeeded(UUID.fromString(id), "scheduler-a");
        given().header("Authorization", bearer).get("/api/v1/mailboxes/" + id + "/sync")
                .then().body("state", equalTo("idle"));
    }

    @Test
    void shouldSyncTheRestWhenTheServerListsFolderNamesThatCannotBeStored() throws Exception {
        Mailboxes.append(inbox, "still synced", "body", null);
        Mailboxes.folder(mail, address, "Projekt " + "x".repeat(3000)); // over PostgreSQL's index entry limit
        Mailboxes.folder(mail, address, "nul\u0000folder");
        Mailboxes.folder(mail, address, "Archive");
        String id = Mailboxes.connect(fake, bearer, address);

        pass(id);
        pass(id);

        given().header("Authorization", bearer).get("/api/v1/mailboxes/" + id + "/sync")
                .then().statusCode(200).body("state", equalTo("idle")).body("lastError", nullValue());
        given().header("Authorization", bearer).get("/api/v1/mailboxes/" + id + "/folders")
                .then().statusCode(200).body("name", hasItem("Archive"))
                .body("name.findAll { it.startsWith('Projekt') || it.startsWith('nul') }", org.hamcrest.Matchers.empty());
        assertThat(sql.count("select count(*) from message where mailbox_id = ? and subject = "
                + "'still synced'", id)).isEqualTo(1);
    }

    @Test
    void shouldHideAMissingFolderAndPurgeItOnlyAfterItStaysAwayForADay() throws Exception {
        Mailboxes.append(Mailboxes.folder(mail, address, "Sent Items"), "sent a", "a", null);
        Mailboxes.append(Mailboxes.folder(mail, address, "Sent Items"), "sent b", "b", null);
        String id = Mailboxes.connect(fake, bearer, address);
        pass(id);
        String sentItems = "select count(*) from message m join folder f on f.id = m.folder_id where f.mailbox_id = ?"
                + " and f.name = 'Sent Items'";
        assertThat(sql.count(sentItems, id)).isEqualTo(2);

        // missing from one LIST: hidden and not synced, but nothing deleted
        Mailboxes.deleteFolder(mail, address, "Sent Items");
        pass(id);
        assertThat(sql.count(sentItems, id)).isEqualTo(2);
        assertThat(sql.count("select count(*) from folder where mailbox_id = ? and name = 'Sent Items' and gone_since "
                + "is not null", id)).isEqualTo(1);
        given().header("Authorization", bearer).get("/api/v1/mailboxes/" + id + "/folders")
                .then().statusCode(200).body("name", org.hamcrest.Matchers.not(hasItem("Sent Items")));
        given().header("Authorization", bearer).get("/api/v1/mailboxes/" + id + "/sync")
                .then().statusCode(200).body("state", equalTo("idle"))
                .body("folders.name", org.hamcrest.Matchers.not(hasItem("Sent Items")));
        // nor are its messages listed: a renamed folder's mail appears once, under the new name
        given().header("Authorization", bearer).get("/api/v1/mailboxes/" + id + "/messages")
                .then().statusCode(200).body("items.subject", org.hamcrest.Matchers.not(hasItem("sent a")));
        given().header("Authorization", bearer).get("/api/v1/mailboxes/" + id + "/threads")
                .then().statusCode(200).body("items.subject", org.hamcrest.Matchers.not(hasItem("sent a")));

        // back: the mark is cleared
        awaitNextSecond(); // GreenMail derives UIDVALIDITY from the clock, in seconds
        Mailboxes.append(Mailboxes.folder(mail, address, "Sent Items"), "sent c", "c", null);
        pass(id);
        assertThat(sql.count("select count(*) from folder where mailbox_id = ? and name = 'Sent Items' and gone_since "
                + "is null", id)).isEqualTo(1);
        given().header("Authorization", bearer).get("/api/v1/mailboxes/" + id + "/folders")
                .then().body("name", hasItem("Sent Items"));

        // gone again, and still gone a day later: purged with its mail
        Mailboxes.deleteFolder(mail, address, "Sent Items");
        pass(id);
        assertThat(sql.count(sentItems, id)).isEqualTo(1);
        sql.execute("update folder set gone_since = now() - interval '23 hours' where mailbox_id = ? and name = "
                + "'Sent Items'", id);
        pass(id);
        assertThat(sql.count(sentItems, id)).as("kept before 24 h").isEqualTo(1);
        sql.execute("update folder set gone_since = now() - interval '25 hours' where mailbox_id = ? and name = "
                + "'Sent Items'", id);
        pass(id);
        assertThat(sql.count("select count(*) from folder where mailbox_id = ? and name = 'Sent Items'", id)).isZero();
        assertThat(sql.count("select count(*) from message where mailbox_id = ? and subject like "
                + "'sent %'", id)).isZero();
    }

    @Test
    void shouldStoreTheRestOfABatchAndAMinimalRowWhenTheDatabaseRefusesOneMessage() throws Exception {
        String id = Mailboxes.connect(fake, bearer, address);
        pass(id);
        long folderId = sql.count("select id from folder where mailbox_id = ? and name = 'INBOX'", id);
        ParsedMessage ok = MimeReader.read("Message-ID: <ok@x>\r\nSubject: fine\r\n\r\nbody".getBytes(
                java.nio.charset.StandardCharsets.UTF_8));
        // a Message-ID the parser would have cut: 100,000 random characters pass btree's index row limit (2,704 bytes)
        java.util.Random random = new java.util.Random(7);
        StringBuilder huge = new StringBuilder();
        for (int i = 0; i < 100_000; i++) {
            huge.append((char) ('a' + random.nextInt(26)));
        }
        ParsedMessage refused = new ParsedMessage(huge.toString(), null, List.of(), "refused", List.of(), List.of(),
                List.of(), List.of(), List.of(), null, null, "text", null, "text", null, false, List.of(), List.of());
        UUID mailboxId = UUID.fromString(id);
        List<NewMessage> batch = List.of(newMessage(mailboxId, folderId, 9001, ok),
                newMessage(mailboxId, folderId, 9002, refused), newMessage(mailboxId, folderId, 9003, ok));

        assertThat(writer.write(inbox(mailboxId, folderId), batch, true)).isEqualTo(1);

        assertThat(sql.count("select count(*) from message where folder_id = ? and uid in (9001, 9003) and subject = "
                + "'fine' and not malformed", folderId)).isEqualTo(2);
        assertThat(sql.text("select coalesce(subject, '-') || ' ' || malformed || ' ' || size || ' ' || flagged || "
                + "' ' || parse_problems from message where folder_id = ? and uid = 9002", folderId))
                .startsWith("- true 1234 true the database refused this message (SQLState 54000)");
        long stored = sql.count("select id from message where folder_id = ? and uid = 9002", folderId);
        given().header("Authorization", bearer).get("/api/v1/mailboxes/" + id + "/messages/" + stored)
                .then().statusCode(200).body("malformed", equalTo(true));
    }

    @Test
    void shouldIndexForSearchMessagesWhateverTheirSubjectAndAddresses() throws Exception {
        String id = Mailboxes.connect(fake, bearer, address);
        pass(id);
        long folderId = sql.count("select id from folder where mailbox_id = ? and name = 'INBOX'", id);
        java.util.Random random = new java.util.Random(11);
        StringBuilder words = new StringBuilder("needle ");
        for (int i = 0; i < 200_000; i++) {
            for (int j = 0; j < 3 + random.nextInt(6); j++) {
                words.append((char) ('a' + random.nextInt(26)));
            }
            words.append(' ');
        }
        // more than a tsvector holds (1 MB): values the parser cuts, stored as they are here
        ParsedMessage big = new ParsedMessage("big@x", null, List.of(), words.toString(), List.of(), List.of(),
                List.of(), List.of(), List.of(), null, null, "haystack", null, "haystack", null, false, List.of(),
                List.of());
        writer.write(inbox(UUID.fromString(id), folderId), List.of(newMessage(UUID.fromString(id), folderId, 9101, big)),
                true);

        while (store.indexForSearch(UUID.fromString(id), 2000) > 0) {
            // what a pass does when it ends
        }

        assertThat(sql.count("select count(*) from message where mailbox_id = ? and search is null", id)).isZero();
        given().header("Authorization", bearer).queryParam("q", "needle").get("/api/v1/mailboxes/" + id + "/messages")
                .then().statusCode(200).body("items", org.hamcrest.Matchers.hasSize(1));
    }

    @Test
    void shouldIndexWhatWaitsAndSkipWhatWasDeletedSince() throws Exception {
        String id = Mailboxes.connect(fake, bearer, address);
        pass(id);
        UUID mailboxId = UUID.fromString(id);
        long folderId = sql.count("select id from folder where mailbox_id = ? and name = 'INBOX'", id);
        ParsedMessage kept = new ParsedMessage("kept@x", null, List.of(), "quokka", List.of(), List.of(), List.of(),
                List.of(), List.of(), null, null, "a quokka", null, "a quokka", null, false, List.of(), List.of());
        ParsedMessage gone = new ParsedMessage("gone@x", null, List.of(), "wombat", List.of(), List.of(), List.of(),
                List.of(), List.of(), null, null, "a wombat", null, "a wombat", null, false, List.of(), List.of());
        writer.write(inbox(mailboxId, folderId), List.of(newMessage(mailboxId, folderId, 9201, kept),
                newMessage(mailboxId, folderId, 9202, gone)), true);
        assertThat(sql.count("select count(*) from search_pending where mailbox_id = ?", id)).isEqualTo(2);
        sql.execute("delete from message where folder_id = ? and uid = 9202", folderId);

        assertThat(store.indexForSearch(mailboxId, 1)).isEqualTo(1);
        assertThat(store.indexForSearch(mailboxId, 5)).isEqualTo(1);
        assertThat(store.indexForSearch(mailboxId, 5)).isZero();

        assertThat(sql.count("select count(*) from search_pending where mailbox_id = ?", id)).isZero();
        assertThat(sql.count("select count(*) from message where folder_id = ? and uid = 9201 and search is not null",
                folderId)).isEqualTo(1);
        given().header("Authorization", bearer).queryParam("q", "quokka").get("/api/v1/mailboxes/" + id + "/messages")
                .then().statusCode(200).body("items", org.hamcrest.Matchers.hasSize(1));
        given().header("Authorization", bearer).queryParam("q", "wombat").get("/api/v1/mailboxes/" + id + "/messages")
                .then().statusCode(200).body("items", org.hamcrest.Matchers.empty());
    }

    @Test
    void shouldStoreMessagesWhoseFetchResponsesCannotBeReadAndNotFetchThemAgain() throws Exception {
        for (int i = 1; i <= 5; i++) {
            Mailboxes.append(inbox, "unreadable " + i, "body " + i, null);
        }
        String id = Mailboxes.connect(fake, bearer, address);
        // an item Angus does not know makes it drop the whole FETCH response (only body fetches ask INTERNALDATE)
        imapProxy.rewrite("INTERNALDATE", "INTERNALDATX");
        try {
            pass(id);
        } finally {
            imapProxy.rewrite(null, null);
        }

        given().header("Authorization", bearer).get("/api/v1/mailboxes/" + id + "/sync")
                .then().body("state", equalTo("idle")).body("lastError", nullValue());
        assertThat(sql.count("select count(*) from message where mailbox_id = ?", id)).isEqualTo(5);
        assertThat(sql.count("select count(*) from message where mailbox_id = ? and malformed and parse_problems like "
                + "'%nothing readable%'", id)).isPositive();
        int before = imapProxy.clientTranscript().length();
        pass(id);
        assertThat(imapProxy.clientTranscript().substring(before)).doesNotContain("BODY.PEEK[]");
    }

    private static NewMessage newMessage(UUID mailboxId, long folderId, long uid, ParsedMessage parsed) {
        return new NewMessage(mailboxId, folderId, 1, uid, java.time.Instant.now(), 1234,
                new MessageFlags(false, true, false, false, false, List.of()), parsed);
    }

    @Test
    void shouldRecordEachFolderPositionAndCountsAfterAPass() throws Exception {
        Mailboxes.append(inbox, "one", "body", new Flags(Flags.Flag.SEEN));
        Mailboxes.append(inbox, "two", "body", null);
        Mailboxes.append(inbox, "three", "body", null);
        String id = Mailboxes.connect(fake, bearer, address);
        String position = "select count(*) from folder f where f.mailbox_id = ? and f.name = 'INBOX' "
                + "and f.uidvalidity = (select distinct m.uidvalidity from message m where m.folder_id = f.id) "
                + "and f.uidnext > (select max(m.uid) from message m where m.folder_id = f.id) "
                + "and f.synced_at > now() - interval '1 minute' and f.messages = ? and f.unseen = ?";

        pass(id);
        assertThat(sql.count(position, id, 3, 2)).isEqualTo(1);

        Mailboxes.append(inbox, "four", "body", null);
        pass(id);
        assertThat(sql.count(position, id, 4, 3)).isEqualTo(1);
    }

    @Test
    void shouldClaimNeverSyncedMailboxesBeforeOverdueSyncedOnes() throws Exception {
        String synced = Mailboxes.connect(fake, bearer, address);
        pass(synced);
        // the synced mailbox is more overdue than anything else in the database
        sql.execute("update mailbox_sync set next_run_at = now() - interval '10 years' where mailbox_id = ?", synced);
        String fresh = Mailboxes.connect(fake, TestUsers.bearer("sync-" + UUID.randomUUID()),
                Mailboxes.newAccount(mail));

        List<UUID> order = new ArrayList<>();
        List<UUID> claimed = leases.claimDue("order-test", 1);
        while (!claimed.isEmpty() && !order.contains(UUID.fromString(synced))) {
            order.addAll(claimed);
            claimed = leases.claimDue("order-test", 1);
        }
        order.addAll(claimed);
        order.forEach(id -> leases.release(id, "order-test"));

        assertThat(order).contains(UUID.fromString(fresh), UUID.fromString(synced));
        assertThat(order.indexOf(UUID.fromString(fresh))).isLessThan(order.indexOf(UUID.fromString(synced)));
    }

    private void pass(String id) {
        UUID mailboxId = UUID.fromString(id);
        assertThat(leases.claim(mailboxId, "test")).as("mailbox is free").isTrue();
        syncer.runPass(mailboxId, "test");
    }

    private void expireAccessToken(String id) throws SQLException {
        sql.execute("update mailbox set access_token_expires_at = now() - interval '1 minute' where id = ?", id);
    }

    private List<String> subjects(String id) throws SQLException {
        return sql.list("select subject from message where mailbox_id = ?", id);
    }

    /** Until the wall clock is in a later second than now (at most a second, instead of sleeping past one). */
    private static void awaitNextSecond() {
        long second = System.currentTimeMillis() / 1000;
        Awaitility.await().pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(10)).atMost(Duration.ofSeconds(5))
                .until(() -> System.currentTimeMillis() / 1000 > second);
    }

    private static dev.mailsync.message.Folder inbox(UUID mailboxId, long folderId) {
        dev.mailsync.message.Folder inbox = new dev.mailsync.message.Folder();
        inbox.id = folderId;
        inbox.mailboxId = mailboxId;
        inbox.name = "INBOX";
        return inbox;
    }
}
