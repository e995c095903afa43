package dev.mailsync.oauth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import dev.mailsync.common.MailsyncConfig;

/** The callback page without a frontend URL: what it posts, to whom, and that nothing it embeds escapes. */
class CallbackPageTest {

    @Test
    void shouldPostTheConnectionToTheGivenOriginOnly() {
        String html = CallbackPage.signedIn("adele@contoso.example", "abc_DEF-123", "https://app.example").html();

        assertThat(html).contains("window.opener.postMessage({\"type\":\"mailsync.connect\",\"connection\":"
                + "\"abc_DEF-123\"}, \"https://app.example\")")
                .doesNotContain("\"*\"");
    }

    @Test
    void shouldEscapeWhatItEmbeds() {
        String address = "a</p><script>alert(1)</script>\"'@contoso.example";
        String origin = "https://app.example\"</script><script>alert(2)</script>";

        String html = CallbackPage.signedIn(address, "v", origin).html();

        assertThat(html).contains("a&lt;/p&gt;&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;@contoso.example")
                .contains("\"https://app.example\\\"\\u003c/script\\u003e"
                        + "\\u003cscript\\u003ealert(2)\\u003c/script\\u003e\"");
        assertThat(html.split("<script>", -1)).hasSize(2);
        assertThat(html.split("</script>", -1)).hasSize(2);
        assertThat(CallbackPage.scriptJson("\"\u2028&\u2029\"")).isEqualTo("\"\\u2028\\u0026\\u2029\"");
    }

    @Test
    void shouldDeriveTheOriginFromFrontendUrlElsePublicUrl() {
        assertThat(target("https://api.example:8443/base", "https://App.Example/settings/mail?tab=mail", null)
                .origin()).isEqualTo("https://app.example");
        assertThat(target("http://localhost:8080/", null, null).origin()).isEqualTo("http://localhost:8080");
        assertThat(target("https://api.example", " ", "https://frontend.example:4200/").origin())
                .isEqualTo("https://frontend.example:4200");
        assertThat(target("https://api.example", null, null).url()).isEmpty();
    }

    @Test
    void shouldRefuseAnOriginThatIsNotOne() {
        assertThatThrownBy(() -> target("https://api.example", null, "*"))
                .hasMessageContaining("mailsync.frontend-origin");
        assertThatThrownBy(() -> target("https://api.example", null, "https://app.example/settings"))
                .hasMessageContaining("mailsync.frontend-origin");
        assertThatThrownBy(() -> target("https://api.example", "app.example/settings", null))
                .hasMessageContaining("mailsync.frontend-url");
        assertThatThrownBy(() -> target("https://api.example", "javascript:alert(1)", "https://app.example"))
                .hasMessageContaining("mailsync.frontend-url");
    }

    private static FrontendTarget target(String publicUrl, String frontendUrl, String frontendOrigin) {
        return new FrontendTarget(new MailsyncConfig() {
            @Override
            public String publicUrl() {
                return publicUrl;
            }

            @Override
            public Optional<String> frontendUrl() {
                return Optional.ofNullable(frontendUrl);
            }

            @Override
            public Optional<String> frontendOrigin() {
                return Optional.ofNullable(frontendOrigin);
            }

            @Override
            public Optional<String> encryptionKey() {
                return Optional.empty();
            }

            @Override
            public Optional<List<String>> encryptionPreviousKeys() {
                return Optional.empty();
            }
        });
    }
}
