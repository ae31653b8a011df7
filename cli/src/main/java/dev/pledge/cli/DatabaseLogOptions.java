package dev.pledge.cli;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.logging.Logger;
import javax.sql.DataSource;
import picocli.CommandLine.Option;

/** The options that name a database log instead of a log directory: {@code --jdbc-url}, {@code --user}, {@code --password}, {@code --table-prefix}. */
final class DatabaseLogOptions {
    @Option(names = "--jdbc-url", description = "JDBC URL of a database log (PostgreSQL, MariaDB/MySQL or H2) instead of a directory.")
    String jdbcUrl;

    @Option(names = "--user", description = "User of the database log.")
    String user;

    @Option(names = "--password", description = "Password of the database log (or set PLEDGE_LOG_PASSWORD).")
    String password;

    @Option(names = "--table-prefix", defaultValue = "pledge_", description = "Prefix of the database log's tables (default ${DEFAULT-VALUE}).")
    String tablePrefix;

    boolean present() {
        return jdbcUrl != null;
    }

    DataSource dataSource() {
        String pw = password != null ? password : System.getenv("PLEDGE_LOG_PASSWORD");
        return new UrlDataSource(jdbcUrl, user, pw);
    }

    /** A DataSource over DriverManager: a new connection per call, which the log takes and keeps. */
    private record UrlDataSource(String url, String user, String password) implements DataSource {
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
        }

        @Override
        public int getLoginTimeout() {
            return 0;
        }

        @Override
        public Logger getParentLogger() throws SQLFeatureNotSupportedException {
            throw new SQLFeatureNotSupportedException();
        }

        @Override
        public <T> T unwrap(Class<T> iface) throws SQLException {
            throw new SQLException("not a wrapper");
        }

        @Override
        public boolean isWrapperFor(Class<?> iface) {
            return false;
        }

        @Override
        public String toString() {
            return url;
        }
    }
}
