package dev.mailsync.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Base64;

import org.junit.jupiter.api.Test;

/** Secrets and signatures in the Standard Webhooks form. */
class WebhookSecretTest {

    @Test
    void shouldReproduceTheStandardWebhooksTestVector() {
        // published with the Standard Webhooks reference libraries (and Svix's)
        assertThat(WebhookSecret.sign("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_p5jXN8AQM9LWM0D4loKWxJek",
                1614265330, "{\"test\": 2432232314}")).isEqualTo("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    }

    @Test
    void shouldGenerateDistinctSecretsOfThirtyTwoBytes() {
        String one = WebhookSecret.generate();
        assertThat(one).startsWith("whsec_").isNotEqualTo(WebhookSecret.generate());
        assertThat(Base64.getDecoder().decode(one.substring(6))).hasSize(32);
        assertThat(WebhookSecret.problem(one)).isNull();
    }

    @Test
    void shouldRefuseSecretsOutsideTheStandardForm() {
        assertThat(WebhookSecret.problem("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")).isNull(); // 24 bytes
        assertThat(WebhookSecret.problem("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")).contains("whsec_");
        assertThat(WebhookSecret.problem("whsec_c2hvcnQ=")).contains("24 to 64 bytes");
        assertThat(WebhookSecret.problem("whsec_" + Base64.getEncoder().encodeToString(new byte[65])))
                .contains("24 to 64 bytes");
        assertThat(WebhookSecret.problem("whsec_***")).contains("base64");
    }
}
