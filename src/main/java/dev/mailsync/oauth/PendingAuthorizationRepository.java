package dev.mailsync.oauth;

import jakarta.enterprise.context.ApplicationScoped;

/** Started sign-ins, by the hash of their state. */
@ApplicationScoped
public class PendingAuthorizationRepository implements OneTimeRows<PendingAuthorization> {
}
