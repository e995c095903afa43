package dev.mailsync.events;

import java.nio.BufferOverflowException;
import java.util.List;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.UriInfo;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.extensions.Extension;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.mailsync.common.openapi.ProblemResponses;
import dev.mailsync.common.problem.Problem;
import dev.mailsync.common.problem.ProblemCode;
import dev.mailsync.common.problem.ProblemException;
import dev.mailsync.common.security.CurrentUser;
import io.quarkus.security.Authenticated;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.smallrye.mutiny.subscription.BackPressureFailure;
import io.smallrye.mutiny.subscription.MultiEmitter;

/**
 * {@code GET /api/v1/events}: the caller's events as server-sent events. The method runs on a worker thread only
 * to check the request and open the stream; the stream itself is a {@link Multi} fed by {@link EventStreams} (and,
 * when resuming, by backlog pages read on a worker thread one at a time as the client takes them), so an open
 * stream holds no thread.
 */
@Path("/api/v1/events")
@Authenticated
@Tag(name = "Events")
public class EventsResource {

    private static final int BACKLOG_PAGE = 100;

    private final EventStreams streams;
    private final EventLog log;
    private final EventMetrics metrics;
    private final EventsConfig config;
    private final ObjectMapper json;
    private final CurrentUser user;

    public EventsResource(EventStreams streams, EventLog log, EventMetrics metrics, EventsConfig config,
            ObjectMapper json, CurrentUser user) {
        this.streams = streams;
        this.log = log;
        this.metrics = metrics;
        this.config = config;
        this.json = json;
        this.user = user;
    }

    @GET
    @Blocking
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @Operation(operationId = "streamEvents", summary = "Stream the caller's events (server-sent events)")
    @APIResponse(responseCode = "200", description = "An endless text/event-stream: `id` (the position to resume "
            + "after), `event` (the type), `data` (the event as JSON); a comment line as heartbeat",
            content = @Content(mediaType = MediaType.SERVER_SENT_EVENTS, schema = @Schema(type = SchemaType.STRING)))
    @Extension(name = ProblemResponses.CODES, value = "cannot_calculate_changes, too_many_streams, busy")
    public Multi<OutboundSseEvent> stream(
            @Parameter(description = "The id of the last event received: the stream resumes after it")
            @HeaderParam("Last-Event-ID") String lastEventId,
            @Parameter(description = "As Last-Event-ID, for clients that cannot set headers (the header wins)")
            @QueryParam("since") String since, @Context UriInfo uri, @Context Sse sse) {
        String userId = user.id();
        // an empty ?since= arrives as null: it is refused, not taken for "start now"
        boolean sinceGiven = uri.getQueryParameters().containsKey("since");
        Position resumeFrom = resumePosition(lastEventId, sinceGiven && since == null ? "" : since);
        EventStream stream = streams.open(userId, resumeFrom);
        Multi<OutboundSseEvent> backlog = resumeFrom == null ? Multi.createFrom().empty()
                : backlog(stream).map(event -> sse(sse, event));
        Multi<OutboundSseEvent> live = Multi.createFrom().emitter(
                emitter -> stream.attach(new ResponseSink(emitter, sse)), config.buffer());
        OutboundSseEvent hello = sse.newEventBuilder().comment("mailsync events").reconnectDelay(
                config.retry().toMillis()).build();
        return Multi.createBy().concatenating().streams(Multi.createFrom().item(hello), backlog, live)
                .onFailure(EventsResource::fellBehind).invoke(metrics::dropped)
                .onFailure(EventsResource::fellBehind).recoverWithCompletion()
                .onTermination().invoke(() -> streams.close(stream));
    }

    /**
     * Whether a stream failed because its client fell behind: more events waiting than the buffer holds (Mutiny's
     * emitter signals a {@link BufferOverflowException}), or too many held while it caught up. The stream then
     * just ends, and the client resumes with Last-Event-ID.
     */
    private static boolean fellBehind(Throwable failure) {
        return failure instanceof BufferOverflowException || failure instanceof BackPressureFailure;
    }

    /**
     * Where a resuming client continues, or null for a new one: the header, else {@code since}. A position older
     * than the retained events cannot be resumed without loss, and one newer than any event was not handed out by
     * this database (a restored or replaced one): both answer 410 {@code cannot_calculate_changes}, and the client
     * lists again and connects without one.
     */
    private Position resumePosition(String lastEventId, String since) {
        boolean header = lastEventId != null && !lastEventId.isBlank();
        String field = header ? "Last-Event-ID" : "since";
        String value = header ? lastEventId.strip() : since;
        if (value == null) {
            return null;
        }
        Position position;
        try {
            position = Position.parse(value); // an empty since is refused too: omit it to start now
        } catch (IllegalArgumentException e) {
            throw ProblemException.invalid(List.of(new Problem.FieldError(field,
                    "must be an event id of this stream")));
        }
        if (position.compareTo(log.horizon()) < 0) {
            throw new ProblemException(ProblemCode.CANNOT_CALCULATE_CHANGES, "Events after " + position
                    + " are no longer kept: list again and connect without " + field);
        }
        if (position.compareTo(log.latest()) > 0) {
            throw new ProblemException(ProblemCode.CANNOT_CALCULATE_CHANGES, position
                    + " is not a position of this service's events: list again and connect without " + field);
        }
        return position;
    }

    /** The stream's backlog, a page at a time on a worker thread as the client takes them. */
    private Multi<Event> backlog(EventStream stream) {
        return Multi.createBy().repeating()
                .uni(() -> Uni.createFrom().item(() -> log.afterForUser(stream.userId(), stream.last(), BACKLOG_PAGE))
                        .runSubscriptionOn(Infrastructure.getDefaultWorkerPool()))
                .whilst(page -> page.size() == BACKLOG_PAGE && stream.open())
                .onItem().transformToIterable(stream::backlog);
    }

    private OutboundSseEvent sse(Sse sse, Event event) {
        metrics.sent();
        try {
            return sse.newEventBuilder().id(event.position().toString()).name(event.type().wire())
                    .data(String.class, json.writeValueAsString(EventPayload.of(event, json))).build();
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("event " + event.position() + " cannot be written as JSON", e);
        }
    }

    /** A stream's live part: the response, with a bounded buffer ({@code mailsync.events.buffer}). */
    private final class ResponseSink implements EventStream.Sink {
        private final MultiEmitter<? super OutboundSseEvent> emitter;
        private final Sse sse;

        ResponseSink(MultiEmitter<? super OutboundSseEvent> emitter, Sse sse) {
            this.emitter = emitter;
            this.sse = sse;
        }

        @Override
        public void send(Event event) {
            emitter.emit(sse(sse, event));
        }

        @Override
        public void heartbeat() {
            emitter.emit(sse.newEventBuilder().comment("heartbeat").build());
        }

        @Override
        public void overflow() {
            emitter.fail(new BackPressureFailure("the client fell behind"));
        }

        @Override
        public void end() {
            emitter.complete();
        }
    }
}
