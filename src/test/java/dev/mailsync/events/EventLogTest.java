package dev.mailsync.events;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.util.List;
import java.util.UUID;

import javax.sql.DataSource;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.mailsync.support.MailboxTestBase;
import dev.mailsync.support.Mailboxes;
import dev.mailsync.support.MailsyncTest;
import dev.mailsync.support.TestUsers;

/** The event log: written in the writer's transaction, read in position order, settled events only. */
@MailsyncTest
class EventLogTest extends MailboxTestBase {

    @Inject
    EventLog events;
    @Inject
    DataSource dataSource;

    UUID mailboxId;

    @BeforeEach
    void setUp() {
        String bearer = TestUsers.bearer("events-" + UUID.randomUUID());
        mailboxId = UUID.fromString(Mailboxes.connect(fake, bearer, Mailboxes.newAccount(mail)));
    }

    @Test
    void shouldReadMessageEventsInOrderAndMoveTheMailboxState() {
        Position before = events.state(mailboxId);

        events.messages(mailboxId, EventType.MESSAGE_CREATED, "INBOX", List.of(11L, 12L), true);
        events.mailbox(mailboxId, EventType.OUTBOX_SENT, "{\"outboxId\": \"o-1\"}");

        List<Event> read = events.afterInMailbox(mailboxId, before, 10);
        assertThat(read).extracting(Event::type).containsExactly(EventType.MESSAGE_CREATED,
                EventType.MESSAGE_CREATED, EventType.OUTBOX_SENT);
        assertThat(read).extracting(Event::messageId).containsExactly(11L, 12L, null);
        assertThat(read.get(0).folder()).isEqualTo("INBOX");
        assertThat(read.get(2).data()).contains("\"outboxId\": \"o-1\"");
        assertThat(read).allSatisfy(e -> assertThat(e.mailboxId()).isEqualTo(mailboxId));
        assertThat(events.state(mailboxId)).isEqualTo(read.get(2).position()).isGreaterThan(before);
        assertThat(events.afterInMailbox(mailboxId, read.get(0).position(), 1)).extracting(Event::messageId)
                .containsExactly(12L);
        assertThat(events.afterForUser(read.get(0).userId(), before, 10)).hasSize(3);
    }

    @Test
    void shouldHoldBackEventsWhileAnOlderTransactionMayStillWriteBeforeThem() throws Exception {
        Position before = events.state(mailboxId);
        try (Connection slow = dataSource.getConnection()) {
            slow.setAutoCommit(false);
            // the slow transaction takes its id first, then a faster one commits an event after it
            slow.createStatement().execute("select pg_current_xact_id()");
            events.messages(mailboxId, EventType.MESSAGE_UPDATED, "INBOX", List.of(21L), true);

            assertThat(events.afterInMailbox(mailboxId, before, 10)).isEmpty();
            assertThat(events.state(mailboxId)).isEqualTo(before);

            try (var insert = slow.prepareStatement("""
                    insert into event (user_id, mailbox_id, type, message_id, folder)
                    select user_id, id, 'message.deleted', 20, 'INBOX' from mailbox where id = ?""")) {
                insert.setObject(1, mailboxId);
                insert.executeUpdate();
            }
            slow.commit();
        }

        // the slow transaction's event comes first although its row id is higher: a reader never skips it
        assertThat(events.afterInMailbox(mailboxId, before, 10)).extracting(Event::messageId)
                .containsExactly(20L, 21L);
    }

    @Test
    void shouldStartEmptyMailboxesAtTheRetentionHorizon() {
        assertThat(events.state(mailboxId)).isEqualTo(events.horizon());
        assertThat(Position.parse(events.state(mailboxId).toString())).isEqualTo(events.state(mailboxId));
    }
}
