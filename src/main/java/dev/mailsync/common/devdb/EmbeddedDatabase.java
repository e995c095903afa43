package dev.mailsync.common.devdb;

import java.io.IOException;
import java.io.UncheckedIOException;

import org.jboss.logging.Logger;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/** The embedded PostgreSQL of dev mode and tests: one per JVM, stopped when the JVM exits. */
final class EmbeddedDatabase {

    private static final Logger LOG = Logger.getLogger(EmbeddedDatabase.class);

    private EmbeddedDatabase() {
    }

    static synchronized void startOnce() {
        if (System.getProperty(EmbeddedDatabaseConfigSourceFactory.URL) != null) {
            return;
        }
        try {
            EmbeddedPostgres postgres = EmbeddedPostgres.builder()
                    .setServerConfig("max_connections", "100")
                    .setServerConfig("fsync", "off")
                    .setServerConfig("synchronous_commit", "off")
                    .setServerConfig("full_page_writes", "off")
                    .start();
            String url = postgres.getJdbcUrl("postgres", "postgres");
            System.setProperty(EmbeddedDatabaseConfigSourceFactory.URL, url);
            System.setProperty("quarkus.datasource.username", "postgres");
            System.setProperty("quarkus.datasource.password", "postgres");
            LOG.infof("Started embedded PostgreSQL at %s (no quarkus.datasource.jdbc.url configured)", url);
        } catch (IOException e) {
            throw new UncheckedIOException("Could not start the embedded PostgreSQL", e);
        }
    }
}
