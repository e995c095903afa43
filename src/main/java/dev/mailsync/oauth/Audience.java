package dev.mailsync.oauth;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The two resources a mailbox's grant serves. Entra binds an access token to one resource (its {@code aud}) and
 * refuses a token request whose {@code scope} names two (AADSTS28000), so the connect flow asks consent for both
 * at once and each token request then asks for one: Outlook for IMAP and SMTP, Graph for sending through Graph
 * and the user's profile. Both tokens come from the same rotating refresh token.
 */
public enum Audience {

    OUTLOOK("https://outlook.office.com", "Office 365 Exchange Online", "IMAP.AccessAsUser.All", "SMTP.Send"),
    GRAPH("https://graph.microsoft.com", "Microsoft Graph", "Mail.Send", "Mail.Send.Shared", "User.Read",
            "Mail.ReadWrite");

    /** The OpenID Connect scopes: they name no resource and go with either. */
    static final String OPENID = "openid email profile offline_access";

    private final String uri;
    private final String apiName;
    private final List<String> permissions;

    Audience(String uri, String apiName, String... permissions) {
        this.uri = uri;
        this.apiName = apiName;
        this.permissions = List.of(permissions);
    }

    /** The resource's identifier, the {@code aud} of its tokens. */
    public String uri() {
        return uri;
    }

    /** The API's name in Entra's "API permissions" page. */
    public String apiName() {
        return apiName;
    }

    /** The delegated permissions mailsync asks of this resource, by their short names. */
    public List<String> permissions() {
        return permissions;
    }

    /** This resource's scopes as a token request names them ({@code https://graph.microsoft.com/Mail.Send ...}). */
    String resourceScopes() {
        return permissions.stream().map(p -> uri + "/" + p).collect(Collectors.joining(" "));
    }

    /** The {@code scope} of a token request for this resource. */
    String tokenScope() {
        return OPENID + " " + resourceScopes();
    }

    /**
     * Whether a token answer's {@code scope} grants every permission asked. Entra spells Graph's scopes by their
     * short names and others' as URIs; an answer without {@code scope} grants what was asked.
     */
    boolean granted(String scope) {
        if (scope == null) {
            return true;
        }
        Set<String> granted = Arrays.stream(scope.split(" ")).map(s -> s.startsWith(uri + "/")
                ? s.substring(uri.length() + 1) : s).map(s -> s.toLowerCase(Locale.ROOT)).collect(Collectors.toSet());
        return permissions.stream().allMatch(p -> granted.contains(p.toLowerCase(Locale.ROOT)));
    }

    /** What the authorize request asks consent for: Outlook first (a code redeemed without scope gets its token). */
    static String authorizeScope() {
        return OPENID + " " + OUTLOOK.resourceScopes() + " " + GRAPH.resourceScopes();
    }
}
