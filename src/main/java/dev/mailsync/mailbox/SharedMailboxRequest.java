package dev.mailsync.mailbox;

import jakarta.validation.constraints.Email;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** A shared mailbox to add: its address (compared and stored in lower case). */
@Schema(name = "SharedMailboxCreate")
public record SharedMailboxRequest(
        @Schema(examples = "support@contoso.example") @NotBlank @Email @Size(max = 254) String address) {
}
