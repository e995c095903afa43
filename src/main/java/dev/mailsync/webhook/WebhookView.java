package dev.mailsync.webhook;

import java.time.Instant;
import java.util.List;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * A webhook as the API shows it (never with its secret). {@code disabledReason} and {@code disabledAt} are set when
 * {@code state} is {@code disabled}.
 */
@Schema(name = "Webhook")
public record WebhookView(String id, String url, List<String> events, String scope, String state,
        String disabledReason, Instant disabledAt, Instant createdAt) {

    /** The answer to a creation: the webhook and its signing secret, shown this once. */
    @Schema(name = "CreatedWebhook")
    public record Created(String id, String url, List<String> events, String scope, String state, Instant createdAt,
            String secret) {

        static Created of(WebhookView view, String secret) {
            return new Created(view.id(), view.url(), view.events(), view.scope(), view.state(), view.createdAt(),
                    secret);
        }

        @Override
        public String toString() {
            return "Created[id=" + id + ", url=" + url + "]";
        }
    }
}
