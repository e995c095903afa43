package dev.mailsync.sync;

/** How the sync reads new messages ({@code mailsync.sync.fetch-mode}). */
public enum FetchMode {
    /**
     * Header, BODYSTRUCTURE and the text parts a reader is shown; attachments stay on the server until downloaded.
     * A message whose structure the server may describe otherwise than a parser of the whole message finds, or
     * whose attachments are too small to be worth a second command, is fetched whole.
     */
    PARTS,
    /** Every message whole ({@code BODY.PEEK[]}), as before fetch modes existed. */
    WHOLE
}
