package dev.mailsync.outbox;

/**
 * One way of handing an outbox item to Microsoft ({@link SmtpSubmission}, {@link GraphSubmission}); which one a
 * mailbox uses is {@link Transports}' choice.
 */
interface Submission {

    Transport transport();

    /**
     * Hands the stored message over as it is.
     *
     * @return the server's answer, for the item's record
     */
    String submit(OutboxStore.Pending pending);

    /**
     * Whether an earlier attempt delivered the item: its Message-ID is in the mailbox's Sent folder.
     *
     * @throws ReconcileFailed when that cannot be told now
     */
    boolean inSentFolder(OutboxStore.Pending pending);
}
