package dev.mailsync.message;

import java.time.Duration;

/**
 * Bounds of reading one message: its text and HTML bodies are kept up to {@code maxBodyBytes} each (UTF-8), and
 * the MIME walk stops when it has used {@code parseBudget} (what was read so far is kept, the message is marked
 * malformed).
 */
public record ReadLimits(long maxBodyBytes, Duration parseBudget) {

    public static final ReadLimits DEFAULT = new ReadLimits(2L * 1024 * 1024, Duration.ofSeconds(5));
}
