package dev.mailsync.events;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What changed in a mailbox since a state, in the manner of JMAP {@code Email/changes} (RFC 8620 §5.2): each message
 * appears once, in the list its first and last events put it in. Created then destroyed within the window: in
 * neither (the client never saw it); created then updated: created; updated then destroyed: destroyed. Events about
 * the mailbox as a whole move the state without naming a message.
 *
 * @param newState the position of the last event consumed ({@code oldState} when none)
 * @param hasMoreChanges more events follow: ask again from {@code newState}
 */
public record Changes(String oldState, String newState, boolean hasMoreChanges, List<String> created,
        List<String> updated, List<String> destroyed) {

    /**
     * The changes after {@code since} from the events read after it (oldest first): at most {@code limit} of them are
     * consumed; {@code events} holds one more when more follow (read {@code limit + 1}).
     */
    public static Changes of(Position since, List<Event> events, int limit) {
        boolean more = events.size() > limit;
        List<Event> consumed = more ? events.subList(0, limit) : events;
        Map<Long, Fate> fates = new LinkedHashMap<>();
        for (Event e : consumed) {
            if (e.messageId() != null && e.type().aboutMessage()) {
                fates.computeIfAbsent(e.messageId(), id -> new Fate(e.type())).last = e.type();
            }
        }
        List<String> created = new ArrayList<>();
        List<String> updated = new ArrayList<>();
        List<String> destroyed = new ArrayList<>();
        fates.forEach((id, fate) -> {
            boolean born = fate.first == EventType.MESSAGE_CREATED;
            if (fate.last == EventType.MESSAGE_DELETED) {
                if (!born) {
                    destroyed.add(id.toString());
                }
            } else {
                (born ? created : updated).add(id.toString());
            }
        });
        Position newState = consumed.isEmpty() ? since : consumed.get(consumed.size() - 1).position();
        return new Changes(since.toString(), newState.toString(), more, created, updated, destroyed);
    }

    /** The first and the last event of one message in the window. */
    private static final class Fate {
        final EventType first;
        EventType last;

        Fate(EventType first) {
            this.first = first;
        }
    }
}
