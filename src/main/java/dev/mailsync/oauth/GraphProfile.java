package dev.mailsync.oauth;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import dev.mailsync.mailbox.Mailbox;
import dev.mailsync.mailbox.MailboxRepository;
import io.quarkus.logging.Log;
import io.quarkus.narayana.jta.QuarkusTransaction;

/**
 * After a mailbox is connected, Microsoft Graph's {@code GET /v1.0/me} gives its display name and primary address
 * ({@code mail}, else {@code userPrincipalName}) in place of the id_token's, which stay when Graph cannot say: no
 * Graph consent, Graph failing, or slower than {@code mailsync.microsoft.profile-timeout} (connecting never fails
 * because of Graph).
 * <p>
 * Which mailbox it is was settled before, from the id_token: the account (tenant + object id), or for a mailbox
 * connected before accounts were recorded its address. Graph's address only replaces what is used for display and
 * the IMAP/SMTP login, it is asked with that account's own Graph token, and used only when {@code /me} names the
 * id_token's object id.
 */
@ApplicationScoped
public class GraphProfile {

    private final AccessTokens tokens;
    private final MailboxRepository mailboxes;
    private final MicrosoftConfig config;
    private final HttpClient http;

    public GraphProfile(AccessTokens tokens, MailboxRepository mailboxes, MicrosoftConfig config) {
        this.tokens = tokens;
        this.mailboxes = mailboxes;
        this.config = config;
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(config.profileTimeout()).build();
    }

    /** The mailbox with Graph's name and address, saved; as it was when Graph gave none. */
    public Mailbox refine(Mailbox mailbox) {
        Optional<GraphMe> me = fetch(mailbox);
        if (me.isEmpty() || me.get().displayName().isEmpty() && me.get().address().isEmpty()) {
            return mailbox;
        }
        return QuarkusTransaction.requiringNew().call(() -> {
            Mailbox m = mailboxes.findById(mailbox.id);
            if (m == null) {
                return mailbox;
            }
            me.get().displayName().ifPresent(name -> m.displayName = name);
            me.get().address().ifPresent(address -> m.address = address.toLowerCase(Locale.ROOT));
            m.updatedAt = Instant.now();
            return m;
        });
    }

    private Optional<GraphMe> fetch(Mailbox mailbox) {
        String token;
        try {
            token = tokens.graphToken(mailbox.id);
        } catch (GraphConsentMissing e) {
            Log.infof("Mailbox %s: no Microsoft Graph consent; name and address as the id_token gave them",
                    mailbox.id);
            return Optional.empty();
        } catch (ReauthorizationRequired | TokenUnavailable e) {
            Log.warnf("Mailbox %s: no Graph token for the profile (%s)", mailbox.id, e.getMessage());
            return Optional.empty();
        }
        HttpRequest request = HttpRequest.newBuilder(URI.create(graphUrl() + "/v1.0/me?$select=id,displayName,mail,"
                + "userPrincipalName")).header("Authorization", "Bearer " + token)
                .header("Accept", "application/json").timeout(config.profileTimeout()).GET().build();
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                Log.warnf("Mailbox %s: Graph answered %d to /me", mailbox.id, response.statusCode());
                return Optional.empty();
            }
            return Optional.of(GraphMe.parse(response.body(), mailbox.objectId));
        } catch (IOException | RuntimeException e) {
            // timeouts, refused connections, a foreign answer; messages carry no token
            Log.warnf("Mailbox %s: no profile from Graph (%s: %s)", mailbox.id, e.getClass().getSimpleName(),
                    e.getMessage());
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    private String graphUrl() {
        String url = config.graphUrl();
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }
}
