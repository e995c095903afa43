package dev.mailsync.message;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

class ThreadsTest {

    @Test
    void shouldThreadByTheRootOfTheReferencesChain() {
        String root = Threads.threadId("root@x", null, List.of(), "Plan");
        assertThat(Threads.threadId("r2@x", "r1@x", List.of("root@x", "r1@x"), "Re: Re: Plan")).isEqualTo(root);
        // In-Reply-To when there are no References
        assertThat(Threads.threadId("r1@x", "root@x", List.of(), "AW: Plan")).isEqualTo(root);
        // the subject does not matter once there are ids
        assertThat(Threads.threadId("root@x", null, List.of(), "Something else")).isEqualTo(root);
        assertThat(Threads.threadId("other@x", null, List.of(), "Plan")).isNotEqualTo(root);
    }

    @Test
    void shouldFallBackToTheNormalisedSubjectOnlyWithoutAnyId() {
        String bare = Threads.threadId(null, null, List.of(), "Re: Fwd:  Budget   2027 ");
        assertThat(Threads.threadId(null, null, List.of(), "budget 2027")).isEqualTo(bare);
        assertThat(Threads.threadId(null, null, List.of(), "RV: BUDGET 2027")).isEqualTo(bare);
        assertThat(Threads.threadId(null, null, List.of(), "Budget 2028")).isNotEqualTo(bare);
        // an id and a subject never collide, even when the id reads like the subject
        assertThat(Threads.threadId("budget 2027", null, List.of(), null)).isNotEqualTo(bare);
        assertThat(Threads.threadId(null, null, List.of(), null)).isEqualTo(Threads.threadId(null, null, List.of(), ""));
    }

    @Test
    void shouldNormaliseSubjects() {
        assertThat(Threads.normalizeSubject("  Re: AW:\tQuarterly\n  Report ")).isEqualTo("quarterly report");
        assertThat(Threads.normalizeSubject(null)).isEmpty();
        assertThat(Threads.normalizeSubject("Regarding: plan")).isEqualTo("regarding: plan");
    }

    @Test
    void shouldGiveShortHexIdsAndSeparateSingles() {
        String id = Threads.threadId("a@x", null, List.of(), null);
        assertThat(id).matches("[0-9a-f]{24}");
        assertThat(Threads.single("folder 1/uid 7")).matches("[0-9a-f]{24}")
                .isNotEqualTo(Threads.single("folder 1/uid 8"))
                .isNotEqualTo(Threads.threadId("folder 1/uid 7", null, List.of(), null));
    }
}
