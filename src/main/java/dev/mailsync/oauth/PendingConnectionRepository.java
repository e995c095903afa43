package dev.mailsync.oauth;

import jakarta.enterprise.context.ApplicationScoped;

/** Finished sign-ins waiting to be attached, by the hash of their one-time value. */
@ApplicationScoped
public class PendingConnectionRepository implements OneTimeRows<PendingConnection> {
}
