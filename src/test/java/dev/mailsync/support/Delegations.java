package dev.mailsync.support;

import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import com.icegreen.greenmail.util.GreenMail;

/**
 * Exchange's delegated access for the tests: a test grants a user (the delegate) Full Access to a shared mailbox,
 * and from then on GreenMail accepts an XOAUTH2 login as the shared address with the delegate's current Outlook
 * token, as Exchange Online does. Without a grant the shared address keeps its own password, so the login is refused
 * ({@code NO AUTHENTICATE failed.}). Told of every access token the fake identity platform issues.
 */
public class Delegations {

    private final GreenMail mail;
    private final Map<String, String> currentTokens = new ConcurrentHashMap<>();
    private final Map<String, Set<String>> granted = new ConcurrentHashMap<>();

    public Delegations(GreenMail mail) {
        this.mail = mail;
    }

    /** A token was issued to {@code user}: it also opens every shared mailbox granted to the user. */
    public synchronized void tokenIssued(String user, String token) {
        String delegate = key(user);
        currentTokens.put(delegate, token);
        granted.getOrDefault(delegate, Set.of()).forEach(shared -> mail.setUser(shared, shared, token));
    }

    /** Grants {@code delegate} Full Access to {@code shared} (a GreenMail account, created if missing). */
    public synchronized void grant(String delegate, String shared) {
        String address = key(shared);
        granted.computeIfAbsent(key(delegate), d -> ConcurrentHashMap.newKeySet()).add(address);
        String token = currentTokens.get(key(delegate));
        mail.setUser(address, address, token != null ? token : "no-token-issued-yet");
    }

    /** Takes the grant back: the shared address no longer accepts the delegate's tokens. */
    public synchronized void revoke(String delegate, String shared) {
        String address = key(shared);
        Set<String> of = granted.get(key(delegate));
        if (of != null) {
            of.remove(address);
        }
        mail.setUser(address, address, "revoked-" + System.nanoTime());
    }

    private static String key(String address) {
        return address.toLowerCase(Locale.ROOT);
    }
}
