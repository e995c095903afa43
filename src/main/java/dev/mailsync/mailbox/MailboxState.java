package dev.mailsync.mailbox;

/** Whether a mailbox can be synced. */
public enum MailboxState {
    /** Tokens work; the mailbox is synced. */
    ACTIVE,
    /** The provider refused the refresh token: the user must connect the mailbox again. */
    REAUTH_REQUIRED,
    /** Switched off. */
    DISABLED
}
