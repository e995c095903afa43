package dev.mailsync.outbox;

import java.util.List;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/**
 * A message to send. Header values (names, subject, file names, content types) may not contain line breaks:
 * that is what header injection needs. Addresses are checked as RFC 5322 addr-specs by {@link MailComposer}.
 */
public record SendRequest(
        @Size(max = 500) List<@NotNull @Valid Recipient> to,
        @Size(max = 500) List<@NotNull @Valid Recipient> cc,
        @Size(max = 500) List<@NotNull @Valid Recipient> bcc,
        @Size(max = 20) List<@NotNull @Valid Recipient> replyTo,
        @Size(max = 998) @Pattern(regexp = ONE_LINE, message = LINE_BREAK) String subject,
        String text,
        String html,
        List<@NotNull @Valid NewAttachment> attachments,
        @Valid Reference reference) {

    static final String ONE_LINE = "[^\\r\\n\\u0000]*";
    static final String LINE_BREAK = "must not contain line breaks";

    public List<Recipient> to() {
        return to == null ? List.of() : to;
    }

    public List<Recipient> cc() {
        return cc == null ? List.of() : cc;
    }

    public List<Recipient> bcc() {
        return bcc == null ? List.of() : bcc;
    }

    public List<Recipient> replyTo() {
        return replyTo == null ? List.of() : replyTo;
    }

    public List<NewAttachment> attachments() {
        return attachments == null ? List.of() : attachments;
    }

    public record Recipient(
            @Size(max = 256) @Pattern(regexp = ONE_LINE, message = LINE_BREAK) String name,
            @NotBlank @Size(max = 320) @Pattern(regexp = ONE_LINE, message = LINE_BREAK) String address) {
    }

    /**
     * An attachment: its content base64-encoded in the JSON (Jackson decodes it while reading, without keeping the
     * text).
     */
    public record NewAttachment(
            @NotBlank @Size(max = 255) @Pattern(regexp = ONE_LINE, message = LINE_BREAK) String filename,
            @Size(max = 255) @Pattern(regexp = "[A-Za-z0-9!#$&^_.+-]+/[A-Za-z0-9!#$&^_.+-]+",
                    message = "must be a media type such as application/pdf") String contentType,
            @NotNull byte[] content) {
    }

    /** The stored message this one answers or forwards. */
    public record Reference(
            @NotBlank @Pattern(regexp = "[0-9]{1,18}", message = "must be a message id") String messageId,
            @NotNull @Pattern(regexp = ReferenceAction.PATTERN, message = "must be reply, replyAll or forward")
            String action) {

        /** The validated {@code action} as a type. */
        public ReferenceAction kind() {
            return ReferenceAction.fromWire(action);
        }
    }
}
