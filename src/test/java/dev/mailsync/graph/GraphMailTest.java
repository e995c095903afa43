package dev.mailsync.graph;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.put;
import static com.github.tomakehurst.wiremock.client.WireMock.putRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import com.sun.net.httpserver.HttpServer;

/** The Graph client and mail operations against a local WireMock playing Graph (no Quarkus). */
class GraphMailTest {

    private static final GraphTarget TARGET = new GraphTarget("me", "graph-token-1");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final UUID mailbox = UUID.randomUUID();
    private WireMockServer server;
    private GraphMail mail;

    @BeforeEach
    void start() {
        server = new WireMockServer(WireMockConfiguration.options().bindAddress("127.0.0.1").dynamicPort());
        server.start();
        mail = new GraphMail(client(server.baseUrl()), JSON);
    }

    @AfterEach
    void stop() {
        server.stop();
    }

    private static GraphClient client(String url) {
        return new GraphClient(url, Duration.ofSeconds(10), 4, Duration.ofSeconds(10), JSON);
    }

    @Test
    void shouldPostTheExactMimeBase64EncodedAsTextPlain() throws Exception {
        server.stubFor(post("/v1.0/me/sendMail").willReturn(aResponse().withStatus(202)));
        byte[] mime = MimeSplitTest.message("a.txt", "hello".getBytes());

        assertThat(mail.send(mailbox, TARGET, mime)).startsWith("202");

        LoggedRequest request = server.findAll(postRequestedFor(urlEqualTo("/v1.0/me/sendMail"))).get(0);
        assertThat(request.getHeader("Content-Type")).startsWith("text/plain");
        assertThat(request.getHeader("Authorization")).isEqualTo("Bearer graph-token-1");
        assertThat(Base64.getDecoder().decode(request.getBody())).isEqualTo(mime);
    }

    @Test
    void shouldSendALargeMessageAsADraftWithAnUploadSession() throws Exception {
        byte[] large = MimeSplitTest.random(9 * 1024 * 1024 + 12_345, 7);
        byte[] mime = MimeSplitTest.message("large.bin", large);
        server.stubFor(post("/v1.0/me/messages").willReturn(aResponse().withStatus(201)
                .withHeader("Content-Type", "application/json").withBody("{\"id\":\"AAMk+d1=\"}")));
        server.stubFor(post("/v1.0/me/messages/AAMk%2Bd1%3D/attachments/createUploadSession").willReturn(
                aResponse().withStatus(201).withHeader("Content-Type", "application/json")
                        .withBody("{\"uploadUrl\":\"" + server.baseUrl() + "/upload/s1?authtoken=x\"}")));
        server.stubFor(put(urlPathEqualTo("/upload/s1")).willReturn(aResponse().withStatus(200)));
        server.stubFor(post("/v1.0/me/messages/AAMk%2Bd1%3D/send").willReturn(aResponse().withStatus(202)));

        assertThat(mail.send(mailbox, TARGET, mime)).startsWith("202");

        byte[] draft = Base64.getDecoder().decode(server.findAll(postRequestedFor(urlEqualTo("/v1.0/me/messages")))
                .get(0).getBody());
        assertThat(draft).isEqualTo(MimeSplit.split(mime, GraphMail.SINGLE_REQUEST).draft());
        var session = JSON.readTree(server.findAll(postRequestedFor(
                urlEqualTo("/v1.0/me/messages/AAMk%2Bd1%3D/attachments/createUploadSession"))).get(0).getBody());
        assertThat(session.at("/AttachmentItem/size").asInt()).isEqualTo(large.length);
        assertThat(session.at("/AttachmentItem/name").asText()).isEqualTo("large.bin");
        List<LoggedRequest> chunks = server.findAll(putRequestedFor(urlPathEqualTo("/upload/s1")));
        ByteArrayOutputStream uploaded = new ByteArrayOutputStream();
        List<String> ranges = new ArrayList<>();
        for (LoggedRequest chunk : chunks) {
            assertThat(chunk.containsHeader("Authorization")).isFalse();
            assertThat(chunk.getBody().length).isLessThanOrEqualTo(4 * 1024 * 1024);
            ranges.add(chunk.getHeader("Content-Range"));
            uploaded.write(chunk.getBody());
        }
        assertThat(chunks.subList(0, chunks.size() - 1)).allSatisfy(c -> assertThat(c.getBody().length % (320 * 1024))
                .isZero());
        assertThat(ranges.get(0)).isEqualTo("bytes 0-3932159/" + large.length);
        assertThat(ranges.get(ranges.size() - 1)).endsWith("-" + (large.length - 1) + "/" + large.length);
        assertThat(uploaded.toByteArray()).isEqualTo(large);
        server.verify(1, postRequestedFor(urlEqualTo("/v1.0/me/messages/AAMk%2Bd1%3D/send")));
    }

    @Test
    void shouldHonourRetryAfterForTheMailboxOnly() {
        server.stubFor(post("/v1.0/me/sendMail").willReturn(aResponse().withStatus(429).withHeader("Retry-After", "30")
                .withHeader("Content-Type", "application/json")
                .withBody("{\"error\":{\"code\":\"ApplicationThrottled\",\"message\":\"MailboxConcurrency\"}}")));
        byte[] mime = "Subject: x\r\n\r\nhi\r\n".getBytes();

        assertThatThrownBy(() -> mail.send(mailbox, TARGET, mime)).isInstanceOfSatisfying(GraphFailure.class, e -> {
            assertThat(e.code()).isEqualTo("graph_throttled");
            assertThat(e.retryAfter()).contains(Duration.ofSeconds(30));
        });
        // no request for this mailbox until the Retry-After ends; the item is told how long is left
        assertThatThrownBy(() -> mail.send(mailbox, TARGET, mime)).isInstanceOfSatisfying(GraphFailure.class, e -> {
            assertThat(e.code()).isEqualTo("graph_throttled");
            assertThat(e.retryAfter().orElseThrow()).isBetween(Duration.ofSeconds(25), Duration.ofSeconds(30));
        });
        server.verify(1, postRequestedFor(urlEqualTo("/v1.0/me/sendMail")));
        // another mailbox is not held back
        assertThatThrownBy(() -> mail.send(UUID.randomUUID(), TARGET, mime)).isInstanceOf(GraphFailure.class);
        server.verify(2, postRequestedFor(urlEqualTo("/v1.0/me/sendMail")));
    }

    @Test
    void shouldFindAMessageInSentItemsByItsMessageId() {
        server.stubFor(get(urlPathEqualTo("/v1.0/me/mailFolders/SentItems/messages"))
                .withQueryParam("$filter", equalTo("internetMessageId eq '<a'b@x>'".replace("'b", "''b")))
                .withQueryParam("$select", equalTo("id,internetMessageId"))
                .willReturn(aResponse().withHeader("Content-Type", "application/json")
                        .withBody("{\"value\":[{\"id\":\"1\",\"internetMessageId\":\"<a'b@x>\"}]}")));
        server.stubFor(get(urlPathEqualTo("/v1.0/me/mailFolders/SentItems/messages"))
                .withQueryParam("$filter", equalTo("internetMessageId eq '<other@x>'"))
                .willReturn(aResponse().withHeader("Content-Type", "application/json").withBody("{\"value\":[]}")));

        assertThat(mail.inSentItems(mailbox, TARGET, "<a'b@x>")).isTrue();
        assertThat(mail.inSentItems(mailbox, TARGET, "<other@x>")).isFalse();
    }

    @Test
    void shouldKeepTheTokenOutOfFailures() {
        server.stubFor(post("/v1.0/me/sendMail").willReturn(aResponse().withStatus(401)
                .withBody("{\"error\":{\"code\":\"InvalidAuthenticationToken\",\"message\":\"Invalid audience.\"}}")));

        assertThatThrownBy(() -> mail.send(mailbox, TARGET, "Subject: x\r\n\r\nhi\r\n".getBytes()))
                .isInstanceOfSatisfying(GraphFailure.class, e -> {
                    assertThat(e.code()).isEqualTo("graph_token_rejected");
                    assertThat(e.getMessage()).contains("Invalid audience").doesNotContain("graph-token-1");
                });
        assertThat(TARGET.toString()).doesNotContain("graph-token-1");
    }

    @Test
    void shouldHaveAtMostFourRequestsInFlightPerMailbox() throws Exception {
        AtomicInteger inFlight = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        HttpServer graph = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        graph.setExecutor(Executors.newFixedThreadPool(10));
        graph.createContext("/", exchange -> {
            most.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
            try {
                exchange.getRequestBody().readAllBytes();
                Thread.sleep(150);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                inFlight.decrementAndGet();
            }
            exchange.sendResponseHeaders(202, -1);
            exchange.close();
        });
        graph.start();
        ExecutorService callers = Executors.newFixedThreadPool(10);
        try {
            GraphMail viaServer = new GraphMail(client("http://127.0.0.1:" + graph.getAddress().getPort()), JSON);
            List<CompletableFuture<String>> sends = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                sends.add(CompletableFuture.supplyAsync(() -> viaServer.send(mailbox, TARGET,
                        "Subject: x\r\n\r\nhi\r\n".getBytes()), callers));
            }
            sends.forEach(CompletableFuture::join);
        } finally {
            callers.shutdownNow();
            graph.stop(0);
        }
        assertThat(most.get()).isBetween(2, 4);
    }

}
