package dev.mailsync.outbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

class FailureCodesDocumentedTest {

    @Test
    void shouldDocumentEveryOutboxFailureCodeInTheApiGuide() throws Exception {
        String api = Files.readString(Path.of("docs/api.md"));
        String table = api.substring(api.indexOf("## Outbox error codes"), api.indexOf("## The change feed"));

        assertThat(OutboxMetrics.FAILURE_CODES).allSatisfy(code -> assertThat(table).contains("`" + code + "`"));
    }
}
