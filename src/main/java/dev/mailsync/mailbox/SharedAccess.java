package dev.mailsync.mailbox;

import java.util.UUID;

/**
 * Whether a mailbox's grant reaches a shared mailbox, asked of the mail server before the shared mailbox is added
 * (implemented by the oauth package, which holds the tokens, so that this package needs neither tokens nor logins).
 */
public interface SharedAccess {

    /**
     * Tries one login as {@code address} with the grant of mailbox {@code viaId}; returns when the server accepts it.
     *
     * @throws dev.mailsync.common.problem.ProblemException {@code shared_mailbox_denied} when the server refuses the
     *         login; {@code imap_unreachable}, {@code imap_throttled} or {@code token_unavailable} when it cannot tell
     *         now; {@code reauth_required} when the grant of {@code viaId} is gone
     */
    void verify(UUID viaId, String address);
}
