package dev.mailsync.webhook;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import dev.mailsync.common.problem.Problem.FieldError;
import dev.mailsync.common.problem.ProblemCode;
import dev.mailsync.common.problem.ProblemException;
import dev.mailsync.events.EventType;
import io.quarkus.logging.Log;

/** Creating, reading and deleting webhooks (the checks the request's annotations cannot make). */
@ApplicationScoped
public class WebhookService {

    private final WebhookStore store;
    private final WebhookConfig config;
    private final TargetPolicy policy;

    public WebhookService(WebhookStore store, WebhookConfig config) {
        this.store = store;
        this.config = config;
        this.policy = new TargetPolicy(config.allowPrivate(), InetAddress::getAllByName);
    }

    /** The policy every attempt checks its target with. */
    TargetPolicy policy() {
        return policy;
    }

    /** Stores a new webhook; answers it with its secret (the only time the secret is shown). */
    public WebhookView.Created create(String userId, boolean admin, WebhookRequest request) {
        List<FieldError> errors = new ArrayList<>();
        String urlProblem = TargetPolicy.formProblem(request.url());
        if (urlProblem != null) {
            errors.add(new FieldError("url", urlProblem));
        }
        for (String pattern : request.events()) {
            if (!EventFilter.valid(pattern)) {
                errors.add(new FieldError("events", "unknown event type " + pattern.replaceAll("\\p{Cntrl}", "?")
                        + ": use " + EventFilter.KNOWN));
                break;
            }
        }
        String secretProblem = request.secret() == null ? null : WebhookSecret.problem(request.secret());
        if (secretProblem != null) {
            errors.add(new FieldError("secret", secretProblem));
        }
        if (!errors.isEmpty()) {
            throw ProblemException.invalid(errors);
        }
        if (request.adminWide() && !admin) {
            throw new ProblemException(ProblemCode.FORBIDDEN,
                    "An admin-wide webhook (scope all) needs the mailsync-admin role");
        }
        try {
            policy.check(request.url());
        } catch (TargetPolicy.Refused e) {
            throw new ProblemException(ProblemCode.WEBHOOK_URL_REFUSED, e.getMessage());
        }
        UUID id = UUID.randomUUID();
        String secret = request.secret() == null ? WebhookSecret.generate() : request.secret();
        String scope = request.adminWide() ? "all" : "user";
        List<String> events = List.copyOf(new LinkedHashSet<>(request.events()));
        if (!store.insert(id, userId, scope, request.url(), events, secret, config.maxPerUser())) {
            throw new ProblemException(ProblemCode.WEBHOOK_LIMIT_REACHED,
                    "At most " + config.maxPerUser() + " webhooks per user: delete one first");
        }
        Log.infof("Webhook %s created by %s (scope %s, events %s)", id, userId, scope, events);
        return WebhookView.Created.of(get(id, userId, admin), secret);
    }

    public List<WebhookView> list(String userId, boolean admin) {
        return store.visible(userId, admin);
    }

    public WebhookView get(UUID id, String userId, boolean admin) {
        return store.get(id, userId, admin).orElseThrow(() -> ProblemException.notFound("Webhook " + id));
    }

    /**
     * Enables a disabled webhook again (its URL is checked again, as at creation) or disables it; answers it as it
     * is now. Events raised while it was disabled are not delivered to it afterwards.
     */
    public WebhookView update(UUID id, String userId, boolean admin, WebhookUpdate update) {
        String url = store.url(id, userId, admin).orElseThrow(() -> ProblemException.notFound("Webhook " + id));
        if (update.enable()) {
            try {
                policy.check(url);
            } catch (TargetPolicy.Refused e) {
                throw new ProblemException(ProblemCode.WEBHOOK_URL_REFUSED, e.getMessage());
            }
            store.enable(id, userId, admin);
        } else {
            store.disable(id, "disabled by " + userId);
        }
        Log.infof("Webhook %s %s by %s", id, update.enable() ? "enabled" : "disabled", userId);
        return get(id, userId, admin);
    }

    public void delete(UUID id, String userId, boolean admin) {
        if (!store.delete(id, userId, admin)) {
            throw ProblemException.notFound("Webhook " + id);
        }
        Log.infof("Webhook %s deleted by %s", id, userId);
    }

    /** Which event types a webhook asks for: {@code *}, a group ({@code message.*}) or a type. */
    static final class EventFilter {

        static final String KNOWN = "*, message.*, mailbox.*, outbox.* or one of "
                + String.join(", ", java.util.Arrays.stream(EventType.values()).map(EventType::wire).toList());

        private EventFilter() {
        }

        static boolean valid(String pattern) {
            if (pattern.equals("*")) {
                return true;
            }
            for (EventType type : EventType.values()) {
                if (matches(pattern, type)) {
                    return true;
                }
            }
            return false;
        }

        static boolean matches(String pattern, EventType type) {
            return pattern.equals("*") || pattern.equals(type.wire()) || (pattern.endsWith(".*")
                    && type.wire().startsWith(pattern.substring(0, pattern.length() - 1)));
        }

        static boolean matchesAny(List<String> patterns, EventType type) {
            for (String p : patterns) {
                if (matches(p, type)) {
                    return true;
                }
            }
            return false;
        }
    }
}
