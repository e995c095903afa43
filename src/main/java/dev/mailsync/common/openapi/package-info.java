/**
 * The OpenAPI document's parts no resource states: description, server and the tags the resources use
 * ({@code @Tag(name = ...)}). Each operation has a stable {@code operationId} (the method names of generated
 * clients) and names the problem codes it can answer in {@code x-problem-codes}, which {@link ProblemResponses}
 * turns into {@code application/problem+json} responses. {@code .ci/run} lints the built document
 * ({@code target/openapi/openapi.yaml}) with Redocly.
 */
@OpenAPIDefinition(
        info = @Info(title = "mailsync API", version = "1",
                description = "Connects Microsoft 365 mailboxes over IMAP and SMTP with OAuth2, keeps their mail in "
                        + "PostgreSQL and serves it as JSON. Every call except the OAuth callback and a signed "
                        + "attachment URL needs a bearer JWT of the platform. Errors are RFC 9457 problem details "
                        + "(application/problem+json) with a stable `code`; the codes each operation can answer are "
                        + "listed with its responses."),
        servers = @Server(url = "{scheme}://{host}", description = "A mailsync deployment: the API port (8080 in the "
                + "container; this document itself is served on the management port)",
                variables = {
                        @ServerVariable(name = "scheme", defaultValue = "https", enumeration = { "https", "http" },
                                description = "https behind the platform's ingress"),
                        @ServerVariable(name = "host", defaultValue = "mailsync:8080",
                                description = "host and port of the deployment (the Kubernetes Service by default)") }),
        tags = {
                @Tag(name = "Mailboxes", description = "Connect Microsoft 365 mailboxes (OAuth2 with PKCE), list and "
                        + "disconnect them"),
                @Tag(name = "Folders", description = "A mailbox's folders with their counts, and which of them sync"),
                @Tag(name = "Messages", description = "Synced mail: pages, search, threads, details, downloads "
                        + "streamed from the server, and changes (flags, move, delete) made on the server first"),
                @Tag(name = "Outbox", description = "Mail to send: queued, sent over SMTP by a worker, retried on "
                        + "transient failures, then appended to the Sent folder"),
                @Tag(name = "Sync", description = "Where a mailbox's sync stands, and asking for a pass now"),
                @Tag(name = "Events", description = "What changes in the caller's mailboxes, pushed as server-sent "
                        + "events and resumable with Last-Event-ID"),
                @Tag(name = "Changes", description = "What changed in a mailbox since a state, for frontends that "
                        + "poll (JMAP Email/changes style)"),
                @Tag(name = "Webhooks", description = "Signed HTTP deliveries of mailbox events (Standard Webhooks), "
                        + "retried from a durable queue, and their delivery log"),
                @Tag(name = "Administration", description = "For the mailsync-admin group: the Microsoft application "
                        + "and key rotation") })
package dev.mailsync.common.openapi;

import org.eclipse.microprofile.openapi.annotations.OpenAPIDefinition;
import org.eclipse.microprofile.openapi.annotations.info.Info;
import org.eclipse.microprofile.openapi.annotations.servers.Server;
import org.eclipse.microprofile.openapi.annotations.servers.ServerVariable;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
