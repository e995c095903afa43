package dev.mailsync.push;

/**
 * How many watches a replica should hold: its fair share of the watchable mailboxes, {@code ceil(watchable /
 * replicas)}. A replica below its share claims the difference, one above gives the excess back (a replica joined),
 * so the watches spread evenly and every mailbox stays claimable by someone (the shares add up to at least the
 * total).
 */
record FairShare(int share, int held) {

    static FairShare of(int watchable, int replicas, int held) {
        int share = watchable <= 0 ? 0 : (watchable + Math.max(replicas, 1) - 1) / Math.max(replicas, 1);
        return new FairShare(share, held);
    }

    /** Watches to claim now. */
    int toClaim() {
        return Math.max(share - held, 0);
    }

    /** Watches to give back now. */
    int toRelease() {
        return Math.max(held - share, 0);
    }
}
