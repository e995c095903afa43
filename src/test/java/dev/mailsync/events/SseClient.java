package dev.mailsync.events;

import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import io.restassured.RestAssured;

/**
 * A server-sent events client for tests: {@code java.net.http} reading the response line by line on its own thread
 * and parsing it as the EventSource specification does (fields up to a blank line; a line starting with a colon is a
 * comment).
 */
final class SseClient implements AutoCloseable {

    /** One dispatched event, or one comment line ({@code comment} set, the rest null). */
    record Received(String id, String type, String data, String comment) {
        boolean isComment() {
            return comment != null;
        }
    }

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();

    private final HttpResponse<Stream<String>> response;
    private final BlockingQueue<Received> received = new LinkedBlockingQueue<>();
    private final Thread reader;
    private volatile String retry;

    private SseClient(HttpResponse<Stream<String>> response) {
        this.response = response;
        this.reader = new Thread(this::read, "sse-client");
        reader.setDaemon(true);
        reader.start();
    }

    /** Opens {@code /api/v1/events} with the bearer token and optional headers (name, value, ...). */
    static SseClient open(String bearer, String... headers) {
        return openPath("/api/v1/events", bearer, headers);
    }

    static SseClient openPath(String pathAndQuery, String bearer, String... headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(
                URI.create("http://localhost:" + RestAssured.port + pathAndQuery)).header("Accept", "text/event-stream");
        if (bearer != null) {
            request.header("Authorization", bearer);
        }
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        try {
            return new SseClient(HTTP.send(request.GET().build(), HttpResponse.BodyHandlers.ofLines()));
        } catch (java.io.IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The last {@code retry:} field received. */
    String retry() {
        return retry;
    }

    int status() {
        return response.statusCode();
    }

    String header(String name) {
        return response.headers().firstValue(name).orElse(null);
    }

    /** The next event or comment, or null when none came within {@code timeout}. */
    Received next(Duration timeout) throws InterruptedException {
        return received.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The next {@code count} events (comments skipped); fails when they do not come within {@code timeout}. */
    List<Received> events(int count, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<Received> events = new ArrayList<>();
        while (events.size() < count) {
            Received next = received.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (next == null) {
                throw new AssertionError("got " + events.size() + " of " + count + " events: " + events);
            }
            if (!next.isComment()) {
                events.add(next);
            }
        }
        return events;
    }

    /** Events (not comments) that arrive within {@code quiet}. */
    List<Received> eventsWithin(Duration quiet) throws InterruptedException {
        long deadline = System.nanoTime() + quiet.toNanos();
        List<Received> events = new ArrayList<>();
        Received next;
        while ((next = received.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) != null) {
            if (!next.isComment()) {
                events.add(next);
            }
        }
        return events;
    }

    /** Whether the server ended the response. */
    boolean ended() {
        return !reader.isAlive();
    }

    @Override
    public void close() {
        response.body().close();
        reader.interrupt();
    }

    private void read() {
        String id = null;
        String type = null;
        StringBuilder data = null;
        try {
            Iterator<String> lines = response.body().iterator();
            while (lines.hasNext()) {
                String line = lines.next();
                if (line.isEmpty()) {
                    if (data != null) { // as EventSource: a block without data is no event
                        received.add(new Received(id, type, data.toString(), null));
                    }
                    id = type = null;
                    data = null;
                } else if (line.startsWith(":")) {
                    received.add(new Received(null, null, null, line.substring(1).strip()));
                } else {
                    int colon = line.indexOf(':');
                    String field = colon < 0 ? line : line.substring(0, colon);
                    String value = colon < 0 ? "" : line.substring(colon + 1);
                    value = value.startsWith(" ") ? value.substring(1) : value;
                    switch (field) {
                        case "id" -> id = value;
                        case "event" -> type = value;
                        case "retry" -> this.retry = value;
                        case "data" -> data = data == null ? new StringBuilder(value) : data.append('\n').append(value);
                        default -> {
                        }
                    }
                }
            }
        } catch (RuntimeException e) {
            // closed by the test, or the connection broke
        }
    }
}
