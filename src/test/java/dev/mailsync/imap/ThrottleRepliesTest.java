package dev.mailsync.imap;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.time.Duration;

import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.MessagingException;

import org.eclipse.angus.mail.iap.BadCommandException;
import org.eclipse.angus.mail.iap.CommandFailedException;
import org.eclipse.angus.mail.iap.Response;
import org.junit.jupiter.api.Test;

/** Exchange Online's throttling replies, as the server words them and as Angus Mail hands them on. */
class ThrottleRepliesTest {

    private static final String BAD = "A7 BAD Request is throttled. Suggested Backoff Time: 299961 milliseconds";
    private static final String NO = "A3 NO Request is throttled. Suggested Backoff Time: 5000 milliseconds";

    @Test
    void shouldReadTheSuggestedBackoffFromBadAndNoReplies() {
        assertThat(ThrottleReplies.backoff(BAD)).contains(Duration.ofMillis(299961));
        assertThat(ThrottleReplies.backoff(NO)).contains(Duration.ofSeconds(5));
        // the text after the status, as an AuthenticationFailedException carries it
        assertThat(ThrottleReplies.backoff("Request is throttled. Suggested Backoff Time: 1000 milliseconds"))
                .contains(Duration.ofSeconds(1));
    }

    @Test
    void shouldReadItFromTheExceptionsAngusThrows() {
        // a tagged BAD: BadCommandException (message: the whole line) wrapped by IMAPFolder
        MessagingException bad = new MessagingException(BAD, new BadCommandException(new Response(BAD)));
        assertThat(ThrottleReplies.backoff(bad)).contains(Duration.ofMillis(299961));
        // a tagged NO to a command: CommandFailedException, wrapped with its own message
        MessagingException no = new MessagingException("UID FETCH failed",
                new CommandFailedException(new Response(NO)));
        assertThat(ThrottleReplies.backoff(no)).contains(Duration.ofSeconds(5));
        // a NO to the login: IMAPStore throws AuthenticationFailedException with the text after the status
        assertThat(ThrottleReplies.backoff(new AuthenticationFailedException(new Response(NO).getRest())))
                .contains(Duration.ofSeconds(5));
        // a chained exception (setNextException) as older code builds it
        MessagingException chained = new MessagingException("folder open failed");
        chained.setNextException(new MessagingException(BAD));
        assertThat(ThrottleReplies.backoff(chained)).contains(Duration.ofMillis(299961));
    }

    @Test
    void shouldReadItWhenTheServerSaysByeAfterIt() {
        // "<tag> BAD ..." then "* BYE Connection closed. 14": the tagged reply ends the command first
        MessagingException throttledThenBye = new MessagingException(BAD + "\r\n* BYE Connection closed. 14",
                new BadCommandException(new Response(BAD)));
        assertThat(ThrottleReplies.backoff(throttledThenBye)).contains(Duration.ofMillis(299961));
        // the next command on that connection only meets the closed connection: not a throttling reply by itself
        MessagingException closed = new MessagingException("* BYE Connection closed. 14",
                new IOException("Connection dropped by server?"));
        assertThat(ThrottleReplies.backoff(closed)).isEmpty();
    }

    @Test
    void shouldNotMistakeOtherRepliesAndShouldBoundTheBackoff() {
        assertThat(ThrottleReplies.backoff("A1 NO AUTHENTICATE failed.")).isEmpty();
        assertThat(ThrottleReplies.backoff("A1 BAD User is authenticated but not connected.")).isEmpty();
        assertThat(ThrottleReplies.backoff((String) null)).isEmpty();
        assertThat(ThrottleReplies.backoff(new MessagingException())).isEmpty();
        assertThat(ThrottleReplies.backoff("A1 BAD Request is throttled.")).contains(ThrottleReplies.WITHOUT_TIME);
        assertThat(ThrottleReplies.backoff("A1 BAD Request is throttled. Suggested Backoff Time: 999999999999 "
                + "milliseconds")).contains(ThrottleReplies.LONGEST);
    }
}
