package dev.mailsync.events;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * An event as server-sent events and webhooks send it, in the Standard Webhooks payload shape:
 * {@code {"type": "message.created", "timestamp": "...", "data": {"mailboxId": ..., "messageId": ..., "folder": ...}}}.
 * {@code data} holds the mailbox id, the message id and folder of message events, and the event's own fields.
 */
public record EventPayload(EventType type, Instant timestamp, Map<String, Object> data) {

    private static final TypeReference<Map<String, Object>> FIELDS = new TypeReference<>() {
    };

    public static EventPayload of(Event event, ObjectMapper json) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("mailboxId", event.mailboxId().toString());
        if (event.messageId() != null) {
            data.put("messageId", event.messageId().toString());
            data.put("folder", event.folder());
        }
        if (event.data() != null) {
            try {
                json.readValue(event.data(), FIELDS).forEach(data::putIfAbsent);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("event " + event.position() + " holds no JSON object", e);
            }
        }
        return new EventPayload(event.type(), event.createdAt(), data);
    }
}
