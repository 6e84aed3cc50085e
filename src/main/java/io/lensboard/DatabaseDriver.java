package io.lensboard;

import java.sql.Connection;
import java.sql.Driver;
import java.sql.DriverPropertyInfo;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.Properties;
import java.util.logging.Logger;

/**
 * The JDBC driver of the one data source, chosen by the URL at run time: PostgreSQL for {@code jdbc:postgresql:}
 * (LENSBOARD_DB_URL), H2 otherwise. Quarkus fixes a data source's driver when the application is built, so without
 * this one build could not serve both databases; both drivers are in the build and this class hands each
 * connection to the one that accepts the URL.
 */
public final class DatabaseDriver implements Driver {
    private static final Driver POSTGRESQL = new org.postgresql.Driver();
    private static final Driver H2 = new org.h2.Driver();

    public static boolean isPostgresql(String url) {
        return url != null && url.startsWith("jdbc:postgresql:");
    }

    private static Driver of(String url) {
        return isPostgresql(url) ? POSTGRESQL : H2;
    }

    @Override
    public Connection connect(String url, Properties info) throws SQLException {
        return of(url).connect(url, info);
    }

    @Override
    public boolean acceptsURL(String url) throws SQLException {
        return of(url).acceptsURL(url);
    }

    @Override
    public DriverPropertyInfo[] getPropertyInfo(String url, Properties info) throws SQLException {
        return of(url).getPropertyInfo(url, info);
    }

    @Override
    public int getMajorVersion() {
        return 1;
    }

    @Override
    public int getMinorVersion() {
        return 0;
    }

    @Override
    public boolean jdbcCompliant() {
        return false;
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        throw new SQLFeatureNotSupportedException();
    }
}
