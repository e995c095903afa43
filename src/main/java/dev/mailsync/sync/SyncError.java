package dev.mailsync.sync;

import java.util.Arrays;
import java.util.Optional;

/**
 * Why a sync pass failed. The code is what {@code mailbox_sync.last_error_code}, the status API
 * ({@code lastError.code}), the health check and the {@code outcome} label of the pass metrics carry.
 */
public enum SyncError {

    /** The mailbox's user must sign in again (refresh token refused or undecryptable, mailbox disconnected). */
    REAUTH_REQUIRED("reauth_required"),
    /** No access token right now (the identity provider is down or throttling): retried later. */
    TOKEN_UNAVAILABLE("token_unavailable"),
    /** The IMAP server refused the access token. */
    IMAP_AUTH_FAILED("imap_auth_failed"),
    /** The IMAP connection failed or the server answered with an error. */
    IMAP_ERROR("imap_error"),
    /** mailsync failed (the failure is logged). */
    INTERNAL_ERROR("internal_error"),
    /**
     * The IMAP server throttled the mailbox ("Request is throttled. Suggested Backoff Time: ..."): the next pass
     * waits for the suggested time.
     */
    IMAP_THROTTLED("imap_throttled"),
    /** All the IMAP connections the mailbox may have were in use ({@code mailsync.imap.max-connections-per-mailbox}). */
    IMAP_BUSY("imap_busy");

    private final String code;

    SyncError(String code) {
        this.code = code;
    }

    /** The wire spelling, e.g. {@code imap_error}. */
    public String code() {
        return code;
    }

    /** The error a stored code stands for; empty for a code this version does not know. */
    public static Optional<SyncError> fromCode(String code) {
        return Arrays.stream(values()).filter(e -> e.code.equals(code)).findFirst();
    }

    @Override
    public String toString() {
        return code;
    }
}
