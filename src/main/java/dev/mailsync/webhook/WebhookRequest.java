package dev.mailsync.webhook;

import java.util.List;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * A new webhook: where to send ({@code url}), which event types ({@code "*"} for all), an optional secret in the
 * Standard Webhooks form (else one is generated), and {@code scope}: {@code "user"} (default: the caller's mailboxes)
 * or {@code "all"} (every mailbox; administrators only).
 */
@Schema(name = "WebhookCreate")
public record WebhookRequest(
        @NotBlank @Size(max = TargetPolicy.MAX_URL_LENGTH) String url,
        @NotNull @Size(min = 1, max = 20) List<@NotBlank @Size(max = 40) String> events,
        @Size(max = 100) @Pattern(regexp = "whsec_[A-Za-z0-9+/=]+",
                message = "must be whsec_ followed by base64") String secret,
        @Pattern(regexp = "user|all", message = "must be user or all") String scope) {

    boolean adminWide() {
        return "all".equals(scope);
    }

    @Override
    public String toString() {
        return "WebhookRequest[url=" + url + ", events=" + events + ", scope=" + scope + "]";
    }
}
