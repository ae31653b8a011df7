package dev.pledge.tm.log.db;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import javax.sql.DataSource;

/**
 * Where the log's connections come from: the application's {@link DataSource}, each connection
 * set up the log's way (idle transactions bounded, auto-commit off, read committed) and kept by
 * the log alone; never enlisted in a transaction.
 */
final class Connections {
    private final DataSource dataSource;
    private final Dialect dialect;
    private final Duration lease;

    Connections(DataSource dataSource, Dialect dialect, Duration lease) {
        this.dataSource = dataSource;
        this.dialect = dialect;
        this.lease = lease;
    }

    /** A new connection of the log's own. */
    Connection open() throws SQLException {
        Connection c = dataSource.getConnection();
        try {
            configure(c, dialect, lease);
            return c;
        } catch (SQLException | RuntimeException e) {
            closeQuietly(c);
            throw e;
        }
    }

    /** Sets a new connection up the log's way; the idle bound first, while auto-commit is still on. */
    static void configure(Connection c, Dialect dialect, Duration lease) throws SQLException {
        dialect.boundIdleTransactions(c, (int) Math.max(10, lease.toSeconds()));
        c.setAutoCommit(false);
        c.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
    }

    /**
     * The URL without its parameters: pgjdbc reports every connection property there, and a URL's
     * parameters may hold a password; host, port and database are what an operator needs.
     */
    static String withoutParameters(String url) {
        if (url == null) {
            return "(the driver reports no URL)";
        }
        int q = url.indexOf('?');
        int semi = url.startsWith("jdbc:h2:") ? url.indexOf(';') : -1;
        int cut = q < 0 ? semi : semi < 0 ? q : Math.min(q, semi);
        return cut < 0 ? url : url.substring(0, cut);
    }

    static void closeQuietly(Connection c) {
        try {
            c.close();
        } catch (SQLException | RuntimeException ignored) {
            // given up anyway
        }
    }
}
