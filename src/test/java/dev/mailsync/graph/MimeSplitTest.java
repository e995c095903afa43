package dev.mailsync.graph;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import java.util.Random;

import jakarta.activation.DataHandler;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import jakarta.mail.util.ByteArrayDataSource;

import org.junit.jupiter.api.Test;

class MimeSplitTest {

    private static final Session SESSION = Session.getInstance(new Properties());

    /** A composed message: text, then the given attachments (name, bytes) in order. */
    static byte[] message(Object... attachments) throws Exception {
        MimeMessage message = new MimeMessage(SESSION) {
            @Override
            protected void updateMessageID() throws jakarta.mail.MessagingException {
                setHeader("Message-ID", "<split-test@mailsync.example>");
            }
        };
        message.setFrom("adele@contoso.example");
        message.setRecipients(MimeMessage.RecipientType.TO, "grady@contoso.example");
        message.setSubject("Large", "UTF-8");
        MimeBodyPart text = new MimeBodyPart();
        text.setText("See the attached files.", "UTF-8");
        MimeMultipart mixed = new MimeMultipart("mixed", text);
        for (int i = 0; i < attachments.length; i += 2) {
            MimeBodyPart part = new MimeBodyPart();
            part.setDataHandler(new DataHandler(new ByteArrayDataSource((byte[]) attachments[i + 1],
                    "application/octet-stream")));
            part.setFileName((String) attachments[i]);
            part.setDisposition(MimeBodyPart.ATTACHMENT);
            mixed.addBodyPart(part);
        }
        message.setContent(mixed);
        message.saveChanges();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        message.writeTo(out);
        return out.toByteArray();
    }

    static byte[] random(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    @Test
    void shouldTakeOutTheLargestAttachmentsUntilTheRestFitsOneRequest() throws Exception {
        byte[] large = random(5 * 1024 * 1024, 1);
        byte[] small = random(10_000, 2);
        byte[] mime = message("small.bin", small, "large.bin", large);

        MimeSplit.Split split = MimeSplit.split(mime, 4_000_000);

        assertThat(split.attachments()).singleElement().satisfies(a -> {
            assertThat(a.name()).isEqualTo("large.bin");
            assertThat(a.contentType()).isEqualTo("application/octet-stream");
            assertThat(a.inline()).isFalse();
            assertThat(a.content()).isEqualTo(large);
        });
        assertThat(MimeSplit.base64Size(split.draft().length)).isLessThanOrEqualTo(4_000_000);
        // the draft is the message's own bytes up to the part taken out: header and Message-ID included
        String head = new String(mime, 0, 2000, StandardCharsets.ISO_8859_1);
        assertThat(new String(split.draft(), 0, 2000, StandardCharsets.ISO_8859_1)).isEqualTo(head);
        MimeMessage draft = new MimeMessage(SESSION, new ByteArrayInputStream(split.draft()));
        assertThat(draft.getMessageID()).isEqualTo("<split-test@mailsync.example>");
        MimeMultipart parts = (MimeMultipart) draft.getContent();
        assertThat(parts.getCount()).isEqualTo(2);
        assertThat(parts.getBodyPart(1).getFileName()).isEqualTo("small.bin");
        assertThat(parts.getBodyPart(1).getInputStream().readAllBytes()).isEqualTo(small);
    }

    @Test
    void shouldKeepTheMessagesOrderOfTheAttachmentsTakenOut() throws Exception {
        byte[] first = random(3 * 1024 * 1024, 3);
        byte[] second = random(4 * 1024 * 1024, 4);

        MimeSplit.Split split = MimeSplit.split(message("a.bin", first, "b.bin", second), 1_000_000);

        assertThat(split.attachments()).extracting(MimeSplit.Attachment::name).containsExactly("a.bin", "b.bin");
        assertThat(split.attachments().get(0).content()).isEqualTo(first);
        assertThat(split.attachments().get(1).content()).isEqualTo(second);
    }

    @Test
    void shouldRefuseAMessageWhoseTextAloneIsTooLarge() throws Exception {
        byte[] mime = message("a.bin", random(100, 5));

        assertThatThrownBy(() -> MimeSplit.split(mime, 100)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("more than one Graph request");
    }
}
