package dev.mailsync.imap;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.util.Properties;

import org.eclipse.angus.mail.iap.Protocol;
import org.eclipse.angus.mail.imap.protocol.BODYSTRUCTURE;
import org.eclipse.angus.mail.imap.protocol.FetchResponse;
import org.eclipse.angus.mail.imap.protocol.IMAPResponse;
import org.junit.jupiter.api.Test;

/** When a server's description of a message is trusted to read it from its parts, and when it is read whole. */
class OutlinesTest {

    private static final String TEXT = "(\"text\" \"plain\" (\"charset\" \"utf-8\") NIL NIL \"7bit\" %d 3 NIL NIL NIL NIL)";
    private static final String PDF = "(\"application\" \"pdf\" (\"name\" \"a.pdf\") NIL NIL \"base64\" %d NIL "
            + "(\"attachment\" (\"filename\" \"a.pdf\")) NIL NIL)";

    @Test
    void trustsAMultipartWhosePartsAccountForTheMessage() throws Exception {
        Outlines.Flat flat = flatten(mixed(TEXT.formatted(120), PDF.formatted(40_000)), 500 + 120 + 40_000 + 600, 500);
        assertThat(flat.mismatch()).isNull();
        assertThat(flat.parts()).extracting(PartOutline::section).containsExactly("1", "2");
    }

    @Test
    void readsASingleTextPartWhole() throws Exception {
        assertThat(flatten(TEXT.formatted(120), 620, 500).mismatch()).isEqualTo("a single text part");
    }

    @Test
    void readsASingleAttachmentFromItsOutline() throws Exception {
        assertThat(flatten(PDF.formatted(40_000), 40_500, 500).mismatch()).isNull();
    }

    @Test
    void readsAPartWithoutABodyWhole() throws Exception {
        // a part header that runs into the next boundary: the server ends the part there, Jakarta Mail reads on
        assertThat(flatten(mixed(TEXT.formatted(120), PDF.formatted(0)), 1_300, 500).mismatch())
                .isEqualTo("a part without a body");
    }

    @Test
    void readsAMessageWhosePartsDoNotAccountForItsSizeWhole() throws Exception {
        // a 700 KB preamble (or epilogue, or part headers the server reads otherwise) around a small text
        assertThat(flatten(mixed(TEXT.formatted(16), PDF.formatted(4_000)), 700_000, 43).mismatch())
                .startsWith("the parts leave 695941 bytes");
        // part headers and boundaries of a few KB a part are the frame of any multipart
        assertThat(flatten(mixed(TEXT.formatted(16), PDF.formatted(4_000)), 43 + 4_016 + 12_000, 43).mismatch())
                .isNull();
    }

    @Test
    void keepsTheReasonsFoundInTheTree() throws Exception {
        assertThat(flatten("(" + TEXT.formatted(10) + " \"digest\" (\"boundary\" \"d\") NIL NIL NIL)", 100, 50)
                .mismatch()).startsWith("multipart/digest");
        assertThat(Outlines.flatten(null, 100, 50).cut()).isTrue();
    }

    private static String mixed(String... parts) {
        return "(" + String.join("", parts) + " \"mixed\" (\"boundary\" \"b\") NIL NIL NIL)";
    }

    private static Outlines.Flat flatten(String bodystructure, long size, int headerBytes) throws Exception {
        Protocol lenient = new Protocol(new ByteArrayInputStream(new byte[0]), null, new Properties(), false);
        FetchResponse fetch = new FetchResponse(new IMAPResponse("* 1 FETCH (UID 7 BODYSTRUCTURE " + bodystructure
                + ")"), null, lenient);
        return Outlines.flatten(fetch.getItem(BODYSTRUCTURE.class), size, headerBytes);
    }
}
