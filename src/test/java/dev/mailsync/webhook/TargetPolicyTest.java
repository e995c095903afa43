package dev.mailsync.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Map;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * Which webhook targets are refused (server-side request forgery). Host names resolve through a fixed table here,
 * so the test does not depend on this machine's DNS; literals and the localhost names need no resolver.
 */
class TargetPolicyTest {

    private static final Map<String, String> DNS = Map.of(
            "hooks.example.com", "93.184.215.14",
            "v6.example.com", "2606:2800:21f:cb07:6820:80da:af6b:8b2c",
            "rebound.example.com", "10.1.2.3",
            "metadata.example.com", "169.254.169.254",
            "mixed.example.com", "93.184.215.14,127.0.0.1");

    private final TargetPolicy strict = new TargetPolicy(false, TargetPolicyTest::resolve);
    private final TargetPolicy lenient = new TargetPolicy(true, TargetPolicyTest::resolve);

    private static InetAddress[] resolve(String host) throws UnknownHostException {
        String addresses = DNS.get(host);
        if (addresses == null) {
            throw new UnknownHostException(host);
        }
        String[] parts = addresses.split(",");
        InetAddress[] out = new InetAddress[parts.length];
        for (int i = 0; i < parts.length; i++) {
            out[i] = InetAddress.getByName(parts[i]); // literals: no lookup
        }
        return out;
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "http://127.0.0.1/hook", "http://127.1/", "http://2130706433/", "http://0x7f000001/", "http://0x7f.1/",
            "http://0177.0.0.1/", "http://017700000001/", "http://127.0.0.1.:8080/", "https://10.0.0.1:8443/",
            "http://172.16.5.4/", "http://172.31.255.255/", "http://192.168.1.1/", "http://100.64.0.1/",
            "http://100.127.255.254/", "http://169.254.169.254/latest/meta-data/", "http://0.0.0.0/", "http://0/",
            "http://224.0.0.1/", "http://255.255.255.255/", "http://198.18.0.1/", "http://192.0.2.10/",
            "http://[::1]/", "http://[::]/", "http://[::ffff:127.0.0.1]/", "http://[::ffff:7f00:1]/",
            "http://[::ffff:169.254.169.254]/", "http://[0:0:0:0:0:ffff:10.0.0.1]/", "http://[fc00::1]/",
            "http://[fd12:3456::1]/", "http://[fe80::1]/", "http://[ff02::1]/", "http://[64:ff9b::a00:1]/",
            "http://[2002:7f00:1::]/", "http://[2001:db8::1]/", "http://[::127.0.0.1]/",
            "http://localhost/", "http://localhost.:9000/", "http://LOCALHOST/", "http://api.localhost/",
            "https://rebound.example.com/hook", "https://metadata.example.com/", "https://mixed.example.com/"})
    void shouldRefuseNonPublicTargets(String url) {
        assertThatThrownBy(() -> strict.check(url)).isInstanceOf(TargetPolicy.Refused.class);
    }

    @ParameterizedTest
    @ValueSource(strings = { "https://hooks.example.com/mailsync?x=1", "http://hooks.example.com:8080/",
            "https://HOOKS.example.com./a", "https://93.184.215.14/", "https://v6.example.com/",
            "http://[2606:4700:4700::1111]:8443/", "http://8.8.8.8/", "http://[64:ff9b::808:808]/",
            "http://100.128.0.1/", "http://172.32.0.1/", "http://11.0.0.1/" })
    void shouldAcceptPublicTargets(String url) throws Exception {
        TargetPolicy.Target target = strict.check(url);
        assertThat(TargetPolicy.isPublic(target.address())).isTrue();
    }

    @Test
    void shouldPinTheAddressItChecked() throws Exception {
        TargetPolicy.Target target = strict.check("https://hooks.example.com:8443/in");
        assertThat(target.address().getHostAddress()).isEqualTo("93.184.215.14");
        assertThat(target.host()).isEqualTo("hooks.example.com");
        assertThat(target.port()).isEqualTo(8443);
        assertThat(target.tls()).isTrue();
        assertThat(strict.check("http://[2606:4700:4700::1111]/").host()).isEqualTo("2606:4700:4700::1111");
        assertThat(strict.check("http://hooks.example.com/").port()).isEqualTo(80);
    }

    @Test
    void shouldAllowPrivateTargetsOnlyWhenConfigured() throws Exception {
        assertThat(lenient.check("http://127.0.0.1:9999/").address().isLoopbackAddress()).isTrue();
        assertThat(lenient.check("http://rebound.example.com/").address().getHostAddress()).isEqualTo("10.1.2.3");
    }

    @Test
    void shouldRefuseNamesThatDoNotResolve() {
        assertThatThrownBy(() -> strict.check("https://nowhere.example.com/"))
                .isInstanceOf(TargetPolicy.Refused.class).hasMessageContaining("does not resolve");
    }

    @ParameterizedTest
    @ValueSource(strings = { "ftp://hooks.example.com/", "file:///etc/passwd", "hooks.example.com/path",
            "http://a@127.0.0.1/", "https://user:pw@hooks.example.com/", "http:///path", "http://hooks.example.com/#x",
            "http://ｌｏｃａｌｈｏｓｔ/", "http://１２７.０.０.１/", "gopher://127.0.0.1:25/", "javascript:alert(1)",
            "http://[::1%25eth0]/", "" })
    void shouldRefuseMalformedUrls(String url) {
        assertThat(TargetPolicy.formProblem(url)).isNotNull();
        assertThatThrownBy(() -> strict.check(url)).isInstanceOf(TargetPolicy.Refused.class);
    }

    @Test
    void shouldRefuseOverlongUrls() {
        assertThat(TargetPolicy.formProblem("https://hooks.example.com/" + "a".repeat(2100))).contains("2048");
    }

    @Test
    void shouldReadEveryIpv4SpellingAResolverAccepts() throws Exception {
        assertThat(TargetPolicy.literal("2130706433").getHostAddress()).isEqualTo("127.0.0.1");
        assertThat(TargetPolicy.literal("0x7f.0.0.1").getHostAddress()).isEqualTo("127.0.0.1");
        assertThat(TargetPolicy.literal("0177.1").getHostAddress()).isEqualTo("127.0.0.1");
        assertThat(TargetPolicy.literal("10.1").getHostAddress()).isEqualTo("10.0.0.1");
        assertThat(TargetPolicy.literal("192.168.257").getHostAddress()).isEqualTo("192.168.1.1");
        assertThat(TargetPolicy.literal("hooks.example.com")).isNull();
        assertThat(TargetPolicy.literal("0x7g.1")).isNull();
        assertThatThrownBy(() -> TargetPolicy.literal("256.1.1.1")).isInstanceOf(TargetPolicy.Refused.class);
        assertThatThrownBy(() -> TargetPolicy.literal("4294967296")).isInstanceOf(TargetPolicy.Refused.class);
    }
}
