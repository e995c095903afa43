package dev.mailsync.webhook;

import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * A change to a webhook: {@code state} {@code "active"} enables a disabled webhook again (with its secret, URL and
 * events), {@code "disabled"} pauses it.
 */
@Schema(name = "WebhookUpdate")
public record WebhookUpdate(
        @NotNull @Pattern(regexp = "active|disabled", message = "must be active or disabled") String state) {

    boolean enable() {
        return "active".equals(state);
    }
}
