package dev.pledge.xa.jdbc;

import dev.pledge.tm.Redaction;

import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;

/**
 * What the adapter must know about the database behind a data source before it hands out
 * connections: which product it is (MariaDB, MySQL and PostgreSQL cannot join a branch from another
 * connection) and, for PostgreSQL, whether prepared transactions are enabled at all.
 */
final class DatabaseProbe {
    /** What one connection told us. */
    record Facts(String product, String url) {
        /** MariaDB/MySQL reject {@code XA START … JOIN}; PostgreSQL joins only on the same connection. */
        boolean joinable() {
            String p = product.toLowerCase(Locale.ROOT);
            return !(p.contains("mysql") || p.contains("mariadb") || p.contains("postgresql"));
        }

        boolean isH2() {
            return product.equalsIgnoreCase("H2");
        }

        /** MariaDB or MySQL, whichever driver talks to it: auto-commit is ignored inside an XA branch ({@link XaSessionAutoCommit}). */
        boolean isMySqlFamily() {
            String p = product.toLowerCase(Locale.ROOT);
            return p.contains("mysql") || p.contains("mariadb");
        }

        boolean isPostgres() {
            return product.toLowerCase(Locale.ROOT).contains("postgresql");
        }
    }

    private DatabaseProbe() {
    }

    static Facts facts(Connection c) throws SQLException {
        DatabaseMetaData md = c.getMetaData();
        return new Facts(md.getDatabaseProductName(), withoutParameters(md.getURL()));
    }

    /**
     * The URL a driver reports, without its {@code ?query} (pgjdbc lists every connection property
     * there, two kilobytes of defaults, which buries the host and database an error must name) and
     * with every credential left in it hidden ({@code user:password@}, {@code ;PASSWORD=}).
     */
    static String withoutParameters(String url) {
        if (url == null) {
            return "(no URL)";
        }
        int q = url.indexOf('?');
        return Redaction.url(q < 0 ? url : url.substring(0, q));
    }

    /**
     * Fails with the fix when the configured user cannot list the server's prepared transactions,
     * which recovery needs and which would otherwise fail only at the first recovery pass after a
     * crash: MySQL 8 needs the {@code XA_RECOVER_ADMIN} privilege. MariaDB 10.11 and PostgreSQL let
     * every user list (and finish) every prepared transaction, so there this passes for any login.
     */
    static void requireRecover(javax.transaction.xa.XAResource xa, String name, Facts facts) {
        try {
            xa.recover(javax.transaction.xa.XAResource.TMSTARTRSCAN);
            xa.recover(javax.transaction.xa.XAResource.TMENDRSCAN);
        } catch (javax.transaction.xa.XAException | RuntimeException e) {
            String fix = facts.isMySqlFamily() && !facts.product().toLowerCase(Locale.ROOT).contains("mariadb")
                    ? "grant the user XA_RECOVER_ADMIN (GRANT XA_RECOVER_ADMIN ON *.* TO 'user'@'host')"
                    : "give the user the right to list prepared transactions, or configure a user who has it";
            throw new IllegalStateException("Data source '" + name + "': the user cannot list prepared transactions on " + facts.product()
                    + " at " + facts.url() + " (" + (e instanceof javax.transaction.xa.XAException x ? "XA error code " + x.errorCode + ": " : "")
                    + e.getMessage() + "), so recovery could not finish its branches after a crash: " + fix, e);
        }
    }

    /**
     * Fails with the fix when PostgreSQL's {@code max_prepared_transactions} is 0: every
     * {@code PREPARE TRANSACTION} would fail, so 2PC cannot work at all.
     */
    static void requirePreparedTransactions(Connection c, String url) throws SQLException {
        int max = maxPreparedTransactions(c, url);
        if (max <= 0) {
            throw new IllegalStateException("PostgreSQL at " + url + " has max_prepared_transactions = " + max
                    + "; set it > 0 (e.g. in conf.d) and restart the server: XA needs PREPARE TRANSACTION");
        }
    }

    /** PostgreSQL's {@code max_prepared_transactions}. */
    static int maxPreparedTransactions(Connection c, String url) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SHOW max_prepared_transactions")) {
            if (!rs.next()) {
                throw new SQLException("PostgreSQL at " + url + " did not answer SHOW max_prepared_transactions");
            }
            return Integer.parseInt(rs.getString(1).trim());
        }
    }
}
