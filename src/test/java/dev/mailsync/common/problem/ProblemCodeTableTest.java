package dev.mailsync.common.problem;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

/** docs/api.md's problem-code table lists exactly the codes of {@link ProblemCode}, with their statuses. */
class ProblemCodeTableTest {

    private static final Pattern ROW = Pattern.compile("^\\| `([a-z_]+)` \\| (\\d{3}) \\| ([^|]+) \\|",
            Pattern.MULTILINE);

    @Test
    void docsListEveryProblemCodeWithItsStatusAndTitle() throws IOException {
        String docs = Files.readString(Path.of("docs/api.md"));
        int start = docs.indexOf("\n## Problem codes\n");
        int end = docs.indexOf("\n## ", start + 1);
        String section = docs.substring(start, end < 0 ? docs.length() : end);

        Map<String, String> documented = new LinkedHashMap<>();
        Matcher row = ROW.matcher(section);
        while (row.find()) {
            documented.put(row.group(1), row.group(2) + " " + row.group(3).strip());
        }
        Map<String, String> declared = Arrays.stream(ProblemCode.values()).collect(Collectors.toMap(
                ProblemCode::code, c -> c.status() + " " + c.title(), (a, b) -> a, LinkedHashMap::new));

        assertEquals(declared, documented);
    }

    @Test
    void wireSpellingIsTheLowerCaseName() {
        assertEquals("idempotency_key_reused", ProblemCode.IDEMPOTENCY_KEY_REUSED.code());
        Problem problem = new ProblemException(ProblemCode.LINK_EXPIRED, "expired").toProblem();
        assertEquals("urn:mailsync:problem:link_expired", problem.type());
        assertEquals(403, problem.status());
        assertEquals("Link expired", problem.title());
    }
}
