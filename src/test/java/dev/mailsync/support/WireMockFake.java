package dev.mailsync.support;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.extension.ResponseDefinitionTransformerV2;

/**
 * A fake HTTP service in its own WireMock server on 127.0.0.1 (a free port): every request, whatever its method and
 * path, is answered by the subclass's {@link #transform}. The shared part of {@link FakeEntra} and {@link FakeGraph}.
 */
abstract class WireMockFake implements ResponseDefinitionTransformerV2 {

    private final WireMockServer server = new WireMockServer(WireMockConfiguration.options()
            .bindAddress("127.0.0.1").dynamicPort().extensions(this));

    public void startServer() {
        server.start();
        server.stubFor(any(anyUrl()).willReturn(aResponse().withTransformers(getName())));
    }

    public void stopServer() {
        server.stop();
    }

    /** Where the server listens: {@code http://127.0.0.1:<port>}. */
    protected String baseUrl() {
        return "http://127.0.0.1:" + server.port();
    }

    /** Forgets the requests WireMock has recorded. */
    protected void resetRequests() {
        server.resetRequests();
    }

    /** Only the catch-all stub of {@link #startServer} uses this transformer. */
    @Override
    public boolean applyGlobally() {
        return false;
    }
}
