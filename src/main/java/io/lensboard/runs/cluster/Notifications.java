package io.lensboard.runs.cluster;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.function.BiConsumer;
import javax.sql.DataSource;
import org.jboss.logging.Logger;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * PostgreSQL LISTEN on one dedicated thread and connection (the JDBC driver's {@code getNotifications}, which waits
 * on the socket): each notification goes to the handler, in the order PostgreSQL delivers them (commit order). A
 * broken connection is opened again after a second; what was notified meanwhile is lost, so {@code reconnected} runs
 * once LISTEN is in force again, before the next notification is handled (to read what was missed from the store).
 */
public final class Notifications implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Notifications.class);
    private static final int WAIT_MS = 500;

    private final DataSource db;
    private final List<String> channels;
    private final BiConsumer<String, String> handler;
    private final Runnable reconnected;
    private final Thread thread;
    private volatile boolean closed;

    public Notifications(DataSource db, List<String> channels, BiConsumer<String, String> handler, Runnable reconnected) {
        this.db = db;
        this.channels = channels;
        this.handler = handler;
        this.reconnected = reconnected;
        this.thread = new Thread(this::listen, "lensboard-listen");
        thread.setDaemon(true);
    }

    /** Starts listening; returns once LISTEN is in force, so nothing notified after this call is missed. */
    public void start() throws SQLException {
        connection = open();
        thread.start();
    }

    /** Written by {@link #start} before the thread starts, then by the thread only (and by close, after it ends). */
    private volatile Connection connection;

    private Connection open() throws SQLException {
        Connection c = db.getConnection();
        try (Statement st = c.createStatement()) {
            for (String channel : channels) {
                st.execute("LISTEN " + channel);
            }
        }
        return c;
    }

    private void listen() {
        while (!closed) {
            try {
                Connection c = connection;
                if (c == null) {
                    c = open();
                    connection = c;
                    LOG.info("listening for other replicas' events again");
                    afterReconnect();
                }
                PGNotification[] batch = c.unwrap(PGConnection.class).getNotifications(WAIT_MS);
                for (PGNotification n : batch == null ? new PGNotification[0] : batch) {
                    dispatch(n);
                }
            } catch (SQLException e) {
                if (closed) {
                    return;
                }
                LOG.warnf("listening for other replicas' events failed (%s); reconnecting", e.getMessage());
                closeQuietly();
                pause();
            }
        }
    }

    private void afterReconnect() {
        try {
            reconnected.run();
        } catch (RuntimeException e) {
            LOG.warnf(e, "catching up after listening again failed");
        }
    }

    private void dispatch(PGNotification n) {
        try {
            handler.accept(n.getName(), n.getParameter());
        } catch (RuntimeException e) {
            LOG.warnf(e, "a notification on %s could not be handled", n.getName());
        }
    }

    private void pause() {
        try {
            Thread.sleep(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void closeQuietly() {
        Connection c = connection;
        connection = null;
        if (c != null) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // broken already: nothing more to release
            }
        }
    }

    @Override
    public void close() throws InterruptedException {
        closed = true;
        thread.join(5000);
        closeQuietly();
    }
}
