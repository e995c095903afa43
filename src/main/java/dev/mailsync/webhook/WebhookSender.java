package dev.mailsync.webhook;

import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;

/**
 * One attempt of one delivery: re-checks the target ({@link TargetPolicy}: DNS is resolved again, so a name that
 * now points somewhere private is refused) and connects to the very address checked (the host name still goes into
 * {@code Host}, SNI and certificate verification). Signed per Standard Webhooks; no redirect is followed; the whole
 * attempt is bounded by {@code mailsync.webhooks.timeout}; at most 1 KiB of the response is read.
 */
@ApplicationScoped
public class WebhookSender {

    private static final int READ_AT_MOST = 1024;

    private final HttpClient client;
    private final TargetPolicy policy;
    private final long timeoutMillis;

    public WebhookSender(Vertx vertx, WebhookConfig config, WebhookService webhooks) {
        this.policy = webhooks.policy();
        this.timeoutMillis = config.timeout().toMillis();
        this.client = vertx.createHttpClient(new HttpClientOptions().setMaxPoolSize(config.concurrency())
                .setKeepAlive(true).setKeepAliveTimeout(30).setForceSni(true).setVerifyHost(true)
                .setConnectTimeout((int) timeoutMillis).setDecompressionSupported(false));
    }

    /** The {@code webhook-id} of a delivery: the same on every attempt. */
    static String messageId(UUID deliveryId) {
        return "msg_" + deliveryId.toString().replace("-", "");
    }

    DeliveryStore.Outcome send(DeliveryStore.Claimed delivery, String secret) {
        long start = System.nanoTime();
        TargetPolicy.Target target;
        try {
            target = policy.check(delivery.url());
        } catch (TargetPolicy.Refused e) {
            return new DeliveryStore.Outcome(null, "refused: " + e.getMessage(), 0, null);
        }
        String id = messageId(delivery.id());
        long timestamp = Instant.now().getEpochSecond();
        RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setHost(target.host())
                .setPort(target.port()).setSsl(target.tls()).setURI(pathAndQuery(target.uri()))
                .setServer(SocketAddress.inetSocketAddress(new InetSocketAddress(target.address(), target.port())))
                .setFollowRedirects(false).setConnectTimeout(timeoutMillis).setIdleTimeout(timeoutMillis)
                .putHeader("content-type", "application/json").putHeader("user-agent", "mailsync-webhooks")
                .putHeader("webhook-id", id).putHeader("webhook-timestamp", Long.toString(timestamp))
                .putHeader("webhook-signature", WebhookSecret.sign(secret, id, timestamp, delivery.body()));
        CompletableFuture<Response> result = new CompletableFuture<>();
        AtomicReference<HttpClientRequest> request = new AtomicReference<>();
        client.request(options).onFailure(result::completeExceptionally).onSuccess(r -> {
            request.set(r);
            r.send(Buffer.buffer(delivery.body().getBytes(StandardCharsets.UTF_8)))
                    .onFailure(result::completeExceptionally).onSuccess(response -> read(r, response, result));
        });
        try {
            Response response = result.get(timeoutMillis, TimeUnit.MILLISECONDS);
            return new DeliveryStore.Outcome(response.status(), null, millisSince(start), response.excerpt());
        } catch (TimeoutException e) {
            cancel(request.get());
            return new DeliveryStore.Outcome(null, timedOut(), millisSince(start), null);
        } catch (ExecutionException e) {
            cancel(request.get());
            Throwable cause = e.getCause();
            // Vert.x reports its own idle and connect timeouts as exceptions named so
            String error = cause instanceof TimeoutException || cause.getClass().getSimpleName().contains("Timeout")
                    ? timedOut() : "no answer: " + cause.getMessage();
            return new DeliveryStore.Outcome(null, error, millisSince(start), null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            cancel(request.get());
            return new DeliveryStore.Outcome(null, "interrupted (shutdown)", millisSince(start), null);
        }
    }

    /** Reads at most {@link #READ_AT_MOST} bytes of the body, then stops (closing the connection). */
    private static void read(HttpClientRequest request, HttpClientResponse response,
            CompletableFuture<Response> result) {
        Buffer excerpt = Buffer.buffer();
        response.handler(chunk -> {
            int room = READ_AT_MOST - excerpt.length();
            excerpt.appendBuffer(chunk.length() <= room ? chunk : chunk.slice(0, Math.max(room, 0)));
            if (excerpt.length() >= READ_AT_MOST && result.complete(Response.of(response, excerpt))) {
                request.reset();
            }
        });
        response.endHandler(v -> result.complete(Response.of(response, excerpt)));
        response.exceptionHandler(e -> result.complete(Response.of(response, excerpt)));
    }

    private String timedOut() {
        return "timeout: no complete answer within " + timeoutMillis + " ms";
    }

    private static void cancel(HttpClientRequest request) {
        if (request != null) {
            request.reset();
        }
    }

    private static String pathAndQuery(URI uri) {
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        return uri.getRawQuery() == null ? path : path + "?" + uri.getRawQuery();
    }

    private static long millisSince(long start) {
        return (System.nanoTime() - start) / 1_000_000;
    }

    @PreDestroy
    void close() {
        client.close();
    }

    private record Response(int status, String excerpt) {
        static Response of(HttpClientResponse response, Buffer body) {
            return new Response(response.statusCode(), body.toString(StandardCharsets.UTF_8));
        }
    }
}
