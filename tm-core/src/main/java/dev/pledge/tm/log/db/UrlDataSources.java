package dev.pledge.tm.log.db;

import dev.pledge.tm.Redaction;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.Objects;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * A plain {@link DataSource} for a database log named by its JDBC URL, for integrations that take
 * text settings (CDI/MicroProfile Config, JNDI references, {@code pledge recover}'s file, Spring Boot
 * properties): a new {@link DriverManager} connection per call, which the log takes and keeps, so
 * no pool library is needed. Its {@code toString} shows the URL with secrets hidden, never the password.
 */
public final class UrlDataSources {
    private UrlDataSources() {
    }

    /** A data source over {@code url}; {@code user} and {@code password} may be null (the URL or the driver's defaults then apply). */
    public static DataSource of(String url, String user, String password) {
        Objects.requireNonNull(url, "url");
        if (url.isBlank() || !url.startsWith("jdbc:")) {
            throw new IllegalArgumentException("A database log's URL must be a JDBC URL (jdbc:postgresql://..., jdbc:mariadb://...,"
                    + " jdbc:h2:...), not '" + Redaction.url(url) + "'");
        }
        return new UrlDataSource(url.trim(), user, password);
    }

    /** DriverManager behind the {@link DataSource} interface. */
    static final class UrlDataSource implements DataSource {
        private final String url;
        private final String user;
        private final String password;
        private volatile int loginTimeout;

        UrlDataSource(String url, String user, String password) {
            this.url = url;
            this.user = user;
            this.password = password;
        }

        @Override
        public Connection getConnection() throws SQLException {
            return user == null ? DriverManager.getConnection(url) : DriverManager.getConnection(url, user, password);
        }

        @Override
        public Connection getConnection(String u, String p) throws SQLException {
            return DriverManager.getConnection(url, u, p);
        }

        @Override
        public PrintWriter getLogWriter() {
            return null;
        }

        @Override
        public void setLogWriter(PrintWriter out) {
        }

        @Override
        public void setLoginTimeout(int seconds) {
            loginTimeout = seconds;
        }

        @Override
        public int getLoginTimeout() {
            return loginTimeout;
        }

        @Override
        public Logger getParentLogger() throws SQLFeatureNotSupportedException {
            throw new SQLFeatureNotSupportedException();
        }

        @Override
        public <T> T unwrap(Class<T> iface) throws SQLException {
            if (iface.isInstance(this)) {
                return iface.cast(this);
            }
            throw new SQLException("not a wrapper for " + iface.getName());
        }

        @Override
        public boolean isWrapperFor(Class<?> iface) {
            return iface.isInstance(this);
        }

        @Override
        public String toString() {
            return Redaction.url(url);
        }
    }
}
