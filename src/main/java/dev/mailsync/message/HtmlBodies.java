package dev.mailsync.message;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;

/**
 * Sanitised HTML for message details, bounded in memory whatever the number of readers. Sanitising builds DOMs of
 * the body (about twelve bytes of heap per character at the peak, so 100 MB for an 8 MB newsletter): a budget of
 * characters ({@code mailsync.api.html-budget}) limits how much is loaded and sanitised at once (a larger body
 * waits until it runs alone), and a small cache ({@code mailsync.api.html-cache}) keeps the results, so readers
 * waiting for the same message find it sanitised instead of sanitising it again.
 */
@ApplicationScoped
public class HtmlBodies {

    /** A sanitised body: the message, whether remote images are kept, and the expiry of the URLs it holds. */
    public record Key(long messageId, boolean remoteImages, long expires) {
    }

    private final Semaphore budget;
    private final int budgetPermits;
    private final long cacheLimit;
    private final Map<Key, String> cache = new LinkedHashMap<>(16, 0.75f, true);
    private long cached;
    private final AtomicInteger sanitised = new AtomicInteger();
    private final AtomicLong inFlight = new AtomicLong();
    private final AtomicLong peakInFlight = new AtomicLong();

    public HtmlBodies(MessageApiConfig config) {
        // permits are kilo-characters, so a budget of gigabytes still fits an int
        this.budgetPermits = (int) Math.max(1, Math.min(Integer.MAX_VALUE, config.htmlBudget().asLongValue() / 1024));
        this.budget = new Semaphore(budgetPermits, true);
        this.cacheLimit = config.htmlCache().asLongValue();
    }

    /**
     * The sanitised HTML of a message: from the cache, or loaded ({@code load}, which reads the stored body) and
     * sanitised within the budget.
     *
     * @param length the stored body's length, known before loading it
     */
    public String render(Key key, long length, Supplier<String> load, Map<String, String> cidUrls) {
        Optional<String> hit = cached(key);
        if (hit.isPresent()) {
            return hit.get();
        }
        int permits = (int) Math.min(budgetPermits, Math.max(1, length / 1024));
        budget.acquireUninterruptibly(permits);
        try {
            hit = cached(key); // sanitised by a reader that held the budget before us
            if (hit.isPresent()) {
                return hit.get();
            }
            peakInFlight.accumulateAndGet(inFlight.addAndGet(length), Math::max);
            try {
                String html = HtmlSanitizer.sanitize(load.get(), cidUrls, key.remoteImages());
                sanitised.incrementAndGet();
                remember(key, html);
                return html;
            } finally {
                inFlight.addAndGet(-length);
            }
        } finally {
            budget.release(permits);
        }
    }

    private synchronized Optional<String> cached(Key key) {
        return Optional.ofNullable(cache.get(key));
    }

    private synchronized void remember(Key key, String html) {
        if (html == null || html.length() > cacheLimit) {
            return;
        }
        if (cache.put(key, html) == null) {
            cached += html.length();
        }
        var eldest = cache.entrySet().iterator();
        while (cached > cacheLimit && eldest.hasNext()) {
            cached -= eldest.next().getValue().length();
            eldest.remove();
        }
    }

    /** Bodies sanitised so far (tests). */
    int sanitised() {
        return sanitised.get();
    }

    /** The most characters of stored HTML that were being sanitised at the same moment (tests). */
    long peakInFlight() {
        return peakInFlight.get();
    }
}
