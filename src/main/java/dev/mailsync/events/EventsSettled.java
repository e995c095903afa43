package dev.mailsync.events;

/**
 * Fired (asynchronously) when this replica's {@link EventTail} has read newly settled events, so that other
 * consumers of the log (the webhook fan-out) need not wait for their next poll.
 */
public record EventsSettled() {
}
