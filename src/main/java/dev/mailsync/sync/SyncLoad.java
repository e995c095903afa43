package dev.mailsync.sync;

import java.lang.management.ManagementFactory;

import jakarta.enterprise.context.ApplicationScoped;

import io.agroal.api.AgroalDataSource;

/**
 * The two saturation signals {@link ConcurrencyLimit} reads: the CPU use of the machine (or of the container,
 * within its CPU limit: the JDK reads the cgroup) since the last reading, and the time threads spent waiting for a
 * connection from the datasource's pool ({@code quarkus.datasource.metrics.enabled} must be on for Agroal to
 * count it).
 */
@ApplicationScoped
public class SyncLoad {

    private final com.sun.management.OperatingSystemMXBean os =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    private final AgroalDataSource dataSource;
    private long lastBlockedNanos;
    private long lastReadAt = System.nanoTime();

    public SyncLoad(AgroalDataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** CPU use since the last call, 0..1; below zero when the JVM cannot tell. */
    double cpu() {
        return os.getCpuLoad();
    }

    /** Seconds spent waiting for a database connection per second since the last call (summed over threads). */
    synchronized double poolWaitPerSecond() {
        long blocked = dataSource.getMetrics().blockingTimeTotal().toNanos();
        long now = System.nanoTime();
        double perSecond = (blocked - lastBlockedNanos) / (double) Math.max(1, now - lastReadAt);
        lastBlockedNanos = blocked;
        lastReadAt = now;
        return Math.max(0, perSecond);
    }
}
