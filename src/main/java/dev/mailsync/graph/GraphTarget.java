package dev.mailsync.graph;

/**
 * Where a Graph request goes and with what: {@code userPath} is {@code me} (the token's own mailbox) or
 * {@code users/{address}} (a mailbox the token's user may act for); {@code token} a Graph-resource access token.
 * {@link #toString()} leaves the token out.
 */
public record GraphTarget(String userPath, String token) {

    @Override
    public String toString() {
        return "GraphTarget[" + userPath + "]";
    }
}
