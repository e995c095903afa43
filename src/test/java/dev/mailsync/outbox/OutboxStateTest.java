package dev.mailsync.outbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

class OutboxStateTest {

    @Test
    void shouldKeepTheWireAndDatabaseSpelling() {
        assertThat(Arrays.stream(OutboxState.values()).map(OutboxState::wire)).containsExactly("queued", "sending",
                "sent", "failed");
        for (OutboxState state : OutboxState.values()) {
            assertThat(OutboxState.fromWire(state.wire())).isSameAs(state);
            assertThat(state).hasToString(state.wire());
        }
    }

    @Test
    void shouldRefuseOtherSpellings() {
        for (String bad : List.of("QUEUED", "Sent", "cancelled", "", " queued")) {
            assertThatThrownBy(() -> OutboxState.fromWire(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
        assertThatThrownBy(() -> OutboxState.fromWire(null)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldCountOnlyQueuedAndSendingAsWaiting() {
        assertThat(Arrays.stream(OutboxState.values()).filter(OutboxState::waiting))
                .containsExactly(OutboxState.QUEUED, OutboxState.SENDING);
    }

    @Test
    void shouldWriteTheWireSpellingInJson() throws Exception {
        ObjectMapper json = new ObjectMapper().registerModule(new JavaTimeModule());
        assertThat(json.writeValueAsString(new OutboxItem.Accepted("a1", OutboxState.QUEUED)))
                .isEqualTo("{\"id\":\"a1\",\"state\":\"queued\"}");
        OutboxItem item = new OutboxItem("a2", OutboxState.FAILED, "m@x", "s", List.of(), List.of(), List.of(), 1, 2,
                null, null, Instant.EPOCH, null, Transport.GRAPH);
        assertThat(json.readTree(json.writeValueAsString(item)).get("state").asText()).isEqualTo("failed");
        assertThat(json.readTree(json.writeValueAsString(item)).get("transport").asText()).isEqualTo("graph");
    }

    @Test
    void shouldMatchTheDatabaseCheckConstraint() throws IOException {
        String migration = Files.readString(Path.of("src/main/resources/db/migration/V4__outbox.sql"));
        assertThat(migration).contains("check (state in ('queued', 'sending', 'sent', 'failed'))");
    }
}
