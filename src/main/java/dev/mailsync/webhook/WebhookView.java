package dev.mailsync.webhook;

import java.time.Instant;
import java.util.List;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A webhook as the API shows it. {@code secret} only in the answer to its creation; {@code disabledReason} and
 * {@code disabledAt} only when {@code state} is {@code disabled}.
 */
@Schema(name = "Webhook")
@JsonInclude(JsonInclude.Include.NON_NULL)
public record WebhookView(String id, String url, List<String> events, String scope, String state,
        String disabledReason, Instant disabledAt, Instant createdAt, String secret) {

    WebhookView withSecret(String value) {
        return new WebhookView(id, url, events, scope, state, disabledReason, disabledAt, createdAt, value);
    }

    @Override
    public String toString() {
        return "WebhookView[id=" + id + ", url=" + url + ", events=" + events + ", scope=" + scope + ", state="
                + state + "]";
    }
}
