package dev.mailsync.common.devdb;

import java.util.List;

import org.eclipse.microprofile.config.spi.ConfigSource;

import io.smallrye.config.ConfigSourceContext;
import io.smallrye.config.ConfigSourceFactory;

/**
 * In dev and test mode, when no {@code quarkus.datasource.jdbc.url} is configured, starts an embedded
 * PostgreSQL and points the datasource at it. Production never gets here (and its artifact does not
 * contain the embedded server: the dependency is {@code provided}).
 */
public class EmbeddedDatabaseConfigSourceFactory implements ConfigSourceFactory {

    static final String URL = "quarkus.datasource.jdbc.url";

    @Override
    public Iterable<ConfigSource> getConfigSources(ConfigSourceContext context) {
        List<String> profiles = context.getProfiles();
        boolean devOrTest = profiles.contains("dev") || profiles.contains("test");
        if (!devOrTest || context.getValue(URL).getValue() != null) {
            return List.of();
        }
        // Publishes the URL as system properties, so the next config build of this JVM (dev-mode
        // reloads, build and run phases of a test) finds it configured and reuses the same server.
        EmbeddedDatabase.startOnce();
        return List.of();
    }
}
