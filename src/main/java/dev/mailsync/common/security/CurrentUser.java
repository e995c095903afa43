package dev.mailsync.common.security;

import jakarta.enterprise.context.RequestScoped;

import io.quarkus.security.UnauthorizedException;
import io.quarkus.security.identity.SecurityIdentity;

/** The caller of an API request: the bearer token's {@code sub}. */
@RequestScoped
public class CurrentUser {

    /** Members of this group (the token's {@code groups} claim) administer mailsync. */
    public static final String ADMIN = "mailsync-admin";

    private final SecurityIdentity identity;

    public CurrentUser(SecurityIdentity identity) {
        this.identity = identity;
    }

    /** The user id ({@code sub}); fails with 401 for an anonymous caller. */
    public String id() {
        if (identity.isAnonymous()) {
            throw new UnauthorizedException();
        }
        return identity.getPrincipal().getName();
    }
}
