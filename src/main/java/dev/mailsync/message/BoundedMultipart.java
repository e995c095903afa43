package dev.mailsync.message;

import java.io.InputStream;

import jakarta.activation.DataSource;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMultipart;

/**
 * A multipart that creates at most as many body parts as its message has left ({@link PartBudget}): Jakarta Mail
 * parses all of a multipart's parts at once, and a few megabytes of {@code --b} lines would otherwise become a
 * million part objects (and a heap full) before the walk could stop at its limit. Past the budget the multipart
 * ends as if it were not closed.
 */
final class BoundedMultipart extends MimeMultipart {

    private final PartBudget budget;

    BoundedMultipart(DataSource source, PartBudget budget) throws MessagingException {
        super(source);
        this.budget = budget;
    }

    @Override
    protected synchronized void parse() throws MessagingException {
        try {
            super.parse();
        } catch (BudgetUsedUp e) {
            parsed = true;
            complete = false;
        }
    }

    @Override
    protected MimeBodyPart createMimeBodyPart(InputStream is) throws MessagingException {
        if (!budget.take()) {
            throw new BudgetUsedUp();
        }
        return super.createMimeBodyPart(is);
    }

    /** Body parts a message may still create. */
    static final class PartBudget {
        private int left;
        /** Whether the walk has noted that the budget ran out. */
        boolean reported;

        PartBudget(int parts) {
            this.left = parts;
        }

        boolean take() {
            return left-- > 0;
        }

        boolean usedUp() {
            return left < 0;
        }
    }

    private static final class BudgetUsedUp extends MessagingException {
        BudgetUsedUp() {
            super("more MIME parts than a message may have");
        }
    }
}
