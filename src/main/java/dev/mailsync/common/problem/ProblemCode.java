package dev.mailsync.common.problem;

import java.util.Locale;
import java.util.Optional;

/**
 * Every {@code code} a problem body of the API can carry, with its HTTP status and title. The wire spelling is the
 * lower-case name ({@link #code()}); docs/api.md lists them all (checked by {@code ProblemCodeTableTest}) and the
 * OpenAPI document names them per operation.
 */
public enum ProblemCode {

    // ---- the request itself
    VALIDATION_FAILED(400, "Invalid request", "Invalid value for: limit"),
    MALFORMED_BODY(400, "Malformed request body", "The request body is not valid JSON for this request"),
    BAD_REQUEST(400, "Bad Request", "The request could not be read: check its body and parameters"),
    UNAUTHENTICATED(401, "Authentication required", "Send a valid bearer token in the Authorization header"),
    FORBIDDEN(403, "Forbidden", "This operation needs the mailsync-admin role"),
    NOT_FOUND(404, "Not found", "Mailbox 9b2f3c1e-8d4a-4f6b-a1c2-3d4e5f607182 does not exist"),
    METHOD_NOT_ALLOWED(405, "Method Not Allowed", "This method is not allowed on this resource"),
    NOT_ACCEPTABLE(406, "Not Acceptable", "This resource cannot produce the requested media type"),
    BODY_TOO_LARGE(413, "Request too large", "The request body is 40000000 bytes; the limit is 36700160 bytes"),
    UNSUPPORTED_MEDIA_TYPE(415, "Unsupported Media Type",
            "This media type is not supported here; send application/json"),
    RATE_LIMITED(429, "Too many requests", "At most 10 send requests per minute; try again in 6 s"),
    TOO_MANY_STREAMS(429, "Too many event streams",
            "At most 5 event streams per user may be open at once; close one"),

    // ---- connecting a mailbox
    CONNECTION_INVALID(404, "Unknown connection",
            "This connection is unknown or was already used: connect the mailbox again"),
    CONNECTION_NOT_YOURS(403, "Not your connection",
            "This sign-in was started by another user and has been discarded: connect the mailbox from your own "
                    + "account"),
    CONNECTION_EXPIRED(410, "Connection expired",
            "This connection was not completed in time: connect the mailbox again"),
    PROVIDER_NOT_CONFIGURED(409, "Microsoft 365 is not configured",
            "An administrator must enter the Entra application's client ID (and secret) in the provider settings "
                    + "before mailboxes can be connected"),

    // ---- mailboxes and messages
    REAUTH_REQUIRED(409, "Mailbox must be reconnected",
            "Microsoft no longer accepts this mailbox's sign-in: the user must connect it again"),
    MAILBOX_NOT_ACTIVE(409, "Mailbox must be reconnected",
            "This mailbox cannot send until its user connects it again (reauth_required)"),
    MESSAGE_CHANGED(409, "Message changed on the server",
            "The message changed on the server; it is updated at the next sync"),
    NO_TRASH_FOLDER(409, "No trash folder",
            "This mailbox has no Deleted Items / Trash folder (or the message is in it): delete it permanently "
                    + "(permanent=true)"),
    INVALID_SIGNATURE(403, "Invalid link", "This attachment link is not valid for this attachment"),
    LINK_EXPIRED(403, "Link expired", "This attachment link has expired: read the message again for a fresh one"),
    IMAP_REFUSED(502, "The mail server refused",
            "The mail server could not move the message: NO [TRYCREATE] no such folder"),
    TOKEN_UNAVAILABLE(503, "Mail server not reachable now",
            "No access token could be obtained right now; try again shortly"),

    // ---- sending
    NOT_FAILED(409, "Only failed mail can be retried", "This message is sent"),
    ALREADY_ATTEMPTED(409, "Too late to withdraw",
            "This message is sending and may have reached the mail server"),
    IDEMPOTENCY_KEY_REUSED(422, "Idempotency key already used",
            "This Idempotency-Key was used for a different message; use a new key for a new message"),

    // ---- the change feed
    CANNOT_CALCULATE_CHANGES(410, "State too old",
            "The state 7512-90311 is older than the kept changes: list the messages again and use the state they "
                    + "answer"),
    // ---- webhooks
    WEBHOOK_URL_REFUSED(400, "Webhook URL refused",
            "The URL's host example.internal resolves to an address that is not public"),
    WEBHOOK_LIMIT_REACHED(409, "Too many webhooks", "At most 10 webhooks per user: delete one first"),

    // ---- the service
    INTERNAL_ERROR(500, "Internal error", "The request could not be completed; the failure was logged"),
    BUSY(503, "Service busy", "Too many requests are waiting for the database; try again shortly"),
    QUERY_TIMEOUT(503, "Service busy", "The query took longer than 10 s and was cancelled; narrow it or try again"),
    SENDING_BUSY(503, "Service busy",
            "Other large messages are being composed or sent on this replica; try again shortly"),

    // ---- the mail server's limits
    IMAP_THROTTLED(503, "Mail server throttling",
            "The mail server throttles this mailbox for now (it asked for 300 s); try again after Retry-After"),
    IMAP_BUSY(503, "Mailbox connections in use",
            "All 8 IMAP connections of this mailbox are in use; try again shortly"),
    IMAP_UNREACHABLE(503, "Mail server not reachable now",
            "The mail server could not be reached to check the access to support@contoso.example (connect timed "
                    + "out); try again shortly"),

    // ---- Microsoft Graph
    GRAPH_CONSENT_MISSING(409, "Microsoft Graph permission missing",
            "This mailbox's Microsoft sign-in does not include the Microsoft Graph permissions: reconnect it to "
                    + "grant them"),

    // ---- shared mailboxes
    SHARED_MAILBOX_DENIED(422, "No access to the shared mailbox",
            "The mail server refused adele.vance@contoso.example access to support@contoso.example (NO "
                    + "AUTHENTICATE failed.): an Exchange administrator must grant Full Access to it"),
    SHARED_MAILBOX_EXISTS(409, "Shared mailbox already added",
            "support@contoso.example is already one of this user's mailboxes");

    private final int status;
    private final String title;
    private final String exampleDetail;

    ProblemCode(int status, String title, String exampleDetail) {
        this.status = status;
        this.title = title;
        this.exampleDetail = exampleDetail;
    }

    /** The wire spelling, e.g. {@code validation_failed}. */
    public String code() {
        return name().toLowerCase(Locale.ROOT);
    }

    public int status() {
        return status;
    }

    public String title() {
        return title;
    }

    /** A typical {@code detail}, for the examples of the OpenAPI document. */
    public String exampleDetail() {
        return exampleDetail;
    }

    /** The problem with this code, status and title. */
    public Problem problem(String detail) {
        return Problem.of(status, code(), title, detail);
    }

    /** The code of the framework's own refusal with this HTTP status (an unknown route: 404 {@code not_found}). */
    static Optional<ProblemCode> ofFrameworkStatus(int status) {
        return Optional.ofNullable(switch (status) {
            case 400 -> BAD_REQUEST;
            case 404 -> NOT_FOUND;
            case 405 -> METHOD_NOT_ALLOWED;
            case 406 -> NOT_ACCEPTABLE;
            case 415 -> UNSUPPORTED_MEDIA_TYPE;
            default -> null;
        });
    }
}
