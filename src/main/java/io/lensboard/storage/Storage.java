package io.lensboard.storage;

import io.lensboard.DatabaseDriver;
import io.lensboard.LensboardConfig;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.interceptor.Interceptor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.flywaydb.core.Flyway;
import org.jboss.logging.Logger;

/**
 * The one database every store shares (runs, images, short links): H2 in the data directory, or PostgreSQL when
 * LENSBOARD_DB_URL names one (a cluster). It is migrated here, before any store is used, and its health is asked
 * here: a database that cannot be used leaves the service up (the lens works) and every store refuses with the
 * reason, as a 503. Below runs/, images/ and lens/, so each of them asks it without importing the others.
 */
@ApplicationScoped
public class Storage {
    private static final Logger LOG = Logger.getLogger(Storage.class);

    @Inject
    LensboardConfig config;

    @Inject
    Flyway flyway;

    @ConfigProperty(name = "quarkus.datasource.jdbc.url")
    String databaseUrl;

    /** Why the database cannot be used, when it cannot. */
    private volatile String problem;

    /** Before every other start-up observer (the run service recovers runs from the migrated tables). */
    void start(@Observes @Priority(Interceptor.Priority.PLATFORM_BEFORE) StartupEvent startup) {
        if (postgresql()) {
            try {
                flyway.migrate();
            } catch (Exception e) {
                unusable(e);
            }
            return;
        }
        Path dir = Path.of(config.dataDir()).toAbsolutePath();
        try {
            Files.createDirectories(dir);
            if (!Files.isWritable(dir)) {
                throw new IOException("not writable");
            }
            flyway.migrate();
        } catch (Exception e) {
            problem = "the data directory " + dir + " (LENSBOARD_DATA_DIR) cannot be used (" + e.getMessage()
                    + "); fix it and restart. The lens works meanwhile.";
            LOG.error(problem);
        }
    }

    /** Whether the database is PostgreSQL, shared by the replicas of a cluster; H2 otherwise, this process's own. */
    public boolean postgresql() {
        return DatabaseDriver.isPostgresql(databaseUrl);
    }

    /** Why nothing can be stored, if so: "the data directory … cannot be used (…); fix it and restart. …". */
    public Optional<String> problem() {
        return Optional.ofNullable(problem);
    }

    /** Refuses (503) when the database cannot be used: "{what} cannot be stored: {the problem}". */
    public void require(String what) {
        String p = problem;
        if (p != null) {
            throw new StorageUnavailableException(what + " cannot be stored: " + p);
        }
    }

    /** The PostgreSQL database failed at start (migration or joining the cluster): every store refuses from now on. */
    public void unusable(Throwable cause) {
        problem = "the PostgreSQL database (LENSBOARD_DB_URL) cannot be used (" + message(cause)
                + "); fix it and restart. The lens works meanwhile.";
        LOG.error(problem);
    }

    private static String message(Throwable t) {
        return t.getMessage() != null ? t.getMessage() : t.toString();
    }
}
