package dev.mailsync.outbox;

import java.time.Duration;

import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Sending mail (prefix {@code mailsync.outbox}). */
@ConfigMapping(prefix = "mailsync.outbox")
public interface OutboxConfig {

    /** Whether this replica sends queued mail at all (the API accepts mail either way). */
    @WithDefault("true")
    boolean enabled();

    /** How often the sender looks for due mail (new mail is also picked up at once). */
    @WithDefault("2s")
    Duration poll();

    /** SMTP submissions running at once on this replica. */
    @WithDefault("2")
    int concurrency();

    /**
     * A claimed item is held this long; after it runs out (a crashed replica) the item is reconciled against the
     * Sent folder and sent again only if it is not there. Must exceed the longest SMTP submission.
     */
    @WithDefault("5m")
    Duration lease();

    /** Attempts before an item fails for good after transient errors. */
    @WithDefault("8")
    int maxAttempts();

    /** Delay before the second attempt; it doubles with each attempt, up to {@code max-backoff}. */
    @WithDefault("30s")
    Duration retryDelay();

    /** Upper bound of the retry delay. */
    @WithDefault("1h")
    Duration maxBackoff();

    /** Largest message accepted, attachments included, as sent (base64). Outlook's own ceiling is 35 MB. */
    @WithDefault("25M")
    MemorySize maxMessageSize();

    /**
     * Bytes of mail held in memory for sending at once on this replica: messages being composed by the API (about
     * twice their size while composed) and being submitted by the sender. A message larger than this waits until it
     * is alone.
     */
    @WithDefault("64M")
    MemorySize memoryBudget();

    /** How long an API request waits for its share of {@code memory-budget} before it is answered 503. */
    @WithDefault("30s")
    Duration memoryWait();

    /** Most attachments on one message. */
    @WithDefault("100")
    int maxAttachments();

    /** Most recipients (to + cc + bcc) on one message; Outlook's limit is 500. */
    @WithDefault("500")
    int maxRecipients();

    /**
     * APPEND each sent message to the Sent folder. Outlook saves mail submitted over SMTP in Sent Items by
     * itself: turn this on only for a server that does not.
     */
    @WithDefault("false")
    boolean appendToSent();

    /**
     * Sent and failed items (their metadata and idempotency keys) are deleted this long after their last change;
     * a repeat of a request older than this is sent again.
     */
    @WithDefault("30d")
    Duration retention();

    /**
     * At shutdown, how long submissions in progress may finish (after the sync's grace); an item cut short is
     * reconciled against the Sent folder by whichever replica takes it next.
     */
    @WithDefault("20s")
    Duration shutdownGrace();

    /** Connect, read and write timeout of the SMTP connection. */
    @WithDefault("60s")
    Duration smtpTimeout();
}
