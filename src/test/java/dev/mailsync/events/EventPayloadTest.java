package dev.mailsync.events;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import com.fasterxml.jackson.databind.SerializationFeature;

class EventPayloadTest {

    final ObjectMapper json = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
    final UUID mailbox = UUID.fromString("2f0e4a52-8a3e-4f7e-9a51-0c6f2d1b7e11");
    final Instant at = Instant.parse("2026-12-02T03:00:00Z");

    @Test
    void shouldSpellMessageEventsInTheStandardWebhooksShape() throws Exception {
        Event created = new Event(new Position(5, 9), "u", mailbox, EventType.MESSAGE_CREATED, 42L, "INBOX", true,
                null, at);

        assertThat(json.writeValueAsString(EventPayload.of(created, json))).isEqualTo("""
                {"type":"message.created","timestamp":"2026-12-02T03:00:00Z","data":{"mailboxId":\
                "2f0e4a52-8a3e-4f7e-9a51-0c6f2d1b7e11","messageId":"42","folder":"INBOX"}}""");
    }

    @Test
    void shouldAddTheEventsOwnFieldsWithoutLettingThemOverrideTheMailbox() throws Exception {
        Event sent = new Event(new Position(5, 10), "u", mailbox, EventType.OUTBOX_SENT, null, null, true,
                "{\"outboxId\": \"o-1\", \"mailboxId\": \"other\"}", at);

        assertThat(EventPayload.of(sent, json).data()).containsEntry("mailboxId", mailbox.toString())
                .containsEntry("outboxId", "o-1").doesNotContainKey("messageId");
    }
}
