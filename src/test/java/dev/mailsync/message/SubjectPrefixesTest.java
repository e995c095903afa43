package dev.mailsync.message;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

class SubjectPrefixesTest {

    @Test
    void shouldKnowReplyPrefixesInTheLanguagesOutlookWrites() {
        for (String subject : List.of("Re: x", "RE:x", "re : x", "AW: x", "Antw: x", "SV: x", "VS: x", "R: x",
                "RIF: x", "Re[2]: x", "Re [3] : x", "  Re: x")) {
            assertThat(SubjectPrefixes.isReply(subject)).as(subject).isTrue();
            assertThat(SubjectPrefixes.reply(subject)).as(subject).isEqualTo(subject);
        }
        for (String subject : List.of("Fwd: x", "Report", "Regarding: x", "Rex: x", "Are: x", "", "Re x")) {
            assertThat(SubjectPrefixes.isReply(subject)).as(subject).isFalse();
            assertThat(SubjectPrefixes.reply(subject)).as(subject).isEqualTo("Re: " + subject);
        }
    }

    @Test
    void shouldKnowForwardPrefixes() {
        for (String subject : List.of("Fwd: x", "FW: x", "fw:x", "WG: x", "TR: x", "RV: x", "VS: x", "Fwd[2]: x")) {
            assertThat(SubjectPrefixes.isForward(subject)).as(subject).isTrue();
            assertThat(SubjectPrefixes.forward(subject)).as(subject).isEqualTo(subject);
        }
        for (String subject : List.of("Re: x", "Fwdx: x", "Forward planning", "")) {
            assertThat(SubjectPrefixes.isForward(subject)).as(subject).isFalse();
            assertThat(SubjectPrefixes.forward(subject)).as(subject).isEqualTo("Fwd: " + subject);
        }
    }

    @Test
    void shouldStripEveryLeadingPrefixOfBothKinds() {
        assertThat(SubjectPrefixes.strip("Re: Fwd: AW: WG: RV: Budget")).isEqualTo("Budget");
        assertThat(SubjectPrefixes.strip("  re[2] :  fw:Budget: Q3")).isEqualTo("Budget: Q3");
        assertThat(SubjectPrefixes.strip("Budget Re: x")).isEqualTo("Budget Re: x"); // only leading ones
        assertThat(SubjectPrefixes.strip("Regarding: x")).isEqualTo("Regarding: x");
        assertThat(SubjectPrefixes.strip("Re:")).isEmpty();
    }

    @Test
    void shouldNotBacktrackOnHostileSubjects() {
        String blanks = "re" + " ".repeat(1_000_000) + "x";
        assertTimeoutPreemptively(Duration.ofSeconds(2), () -> {
            assertThat(SubjectPrefixes.strip(blanks)).isEqualTo(blanks);
            assertThat(SubjectPrefixes.isReply(blanks)).isFalse();
            assertThat(SubjectPrefixes.isForward("fw" + " ".repeat(1_000_000) + "[1" + " x")).isFalse();
        });
    }
}
