package dev.pledge.tm.log.db;

import dev.pledge.tm.log.JournalException;
import java.util.Locale;

/**
 * What differs between the databases the log supports: column types, the database's clock and
 * whether a decision batch's fencing and inserts fit in one statement.
 * Chosen from {@link java.sql.DatabaseMetaData#getDatabaseProductName()}.
 */
enum Dialect {
    POSTGRESQL("BYTEA", "BYTEA", "TIMESTAMP WITH TIME ZONE", "CURRENT_TIMESTAMP", "TEXT"),
    /** MariaDB and MySQL. DATETIME rather than TIMESTAMP: no implicit ON UPDATE, and UTC by the server's clock. */
    MYSQL("VARBINARY(64)", "MEDIUMBLOB", "DATETIME(6)", "UTC_TIMESTAMP(6)", "VARCHAR(1000)"),
    H2("VARBINARY(64)", "VARBINARY(1000000)", "TIMESTAMP WITH TIME ZONE", "CURRENT_TIMESTAMP", "VARCHAR(1000)");

    /** Type of a gtrid or bqual (at most 64 bytes). */
    final String shortBinary;
    /** Type of a decision's encoded branch list. */
    final String longBinary;
    final String timestamp;
    /** The database's clock, by which leases are judged. */
    final String now;
    final String text;

    Dialect(String shortBinary, String longBinary, String timestamp, String now, String text) {
        this.shortBinary = shortBinary;
        this.longBinary = longBinary;
        this.timestamp = timestamp;
        this.now = now;
        this.text = text;
    }

    /** An SQL expression: the database's clock plus the milliseconds bound to the one parameter it has. */
    String nowPlusMillisParameter() {
        return switch (this) {
            case POSTGRESQL -> "(CURRENT_TIMESTAMP + ? * INTERVAL '1 millisecond')";
            case MYSQL -> "TIMESTAMPADD(MICROSECOND, ? * 1000, UTC_TIMESTAMP(6))";
            case H2 -> "DATEADD(MILLISECOND, ?, CURRENT_TIMESTAMP)";
        };
    }

    /**
     * One statement that does a decision batch's fencing and its inserts, or null where the
     * database has none (the batch then sends the node row's UPDATE and a JDBC batch of INSERTs).
     * It marks the node row ({@code last_batch}) only if it still holds the bound epoch, which
     * row-locks it until the transaction ends, and inserts the decisions only through that row:
     * an update count of zero means the epoch moved and nothing was written. Parameters: the mark,
     * the node name, the epoch, the node name again, then the gtrids, decision times and encoded
     * branch lists as three SQL arrays (element types {@code bytea}, {@code int8}, {@code bytea}).
     */
    String checkedDecisionInsert(String nodeTable, String decisionTable) {
        return switch (this) {
            // a data-modifying CTE: the UPDATE's RETURNING row is the INSERT's only source of rows
            case POSTGRESQL -> "WITH n AS (UPDATE " + nodeTable + " SET last_batch = ? WHERE name = ? AND epoch = ? RETURNING epoch)"
                    + " INSERT INTO " + decisionTable + " (gtrid, node, epoch, decided_at, branches)"
                    + " SELECT d.gtrid, CAST(? AS VARCHAR(64)), n.epoch, d.decided_at, d.branches FROM n,"
                    + " unnest(CAST(? AS BYTEA[]), CAST(? AS BIGINT[]), CAST(? AS BYTEA[])) AS d (gtrid, decided_at, branches)";
            case MYSQL, H2 -> null;
        };
    }

    /**
     * Bounds how long a session of the log may sit idle inside a transaction, so that a transaction
     * whose client vanished without the server noticing (a half-open connection) releases its lock on
     * the node row, and the read-back of an unknown outcome can go on. The log's own transactions
     * never wait on the client for long. MySQL has no such setting (MariaDB has); H2 runs in-process
     * or its server sees the socket close.
     */
    void boundIdleTransactions(java.sql.Connection c, int seconds) {
        // called on a new connection before the log turns auto-commit off
        String sql = switch (this) {
            case POSTGRESQL -> "SET idle_in_transaction_session_timeout = " + seconds * 1000;
            case MYSQL -> "SET SESSION idle_transaction_timeout = " + seconds; // MariaDB; MySQL refuses it: then nothing is bounded
            case H2 -> null;
        };
        if (sql == null) {
            return;
        }
        try (java.sql.Statement st = c.createStatement()) {
            st.execute(sql); // on a new connection, before auto-commit goes off: no transaction of its own
            if (!c.getAutoCommit()) {
                c.commit();
            }
        } catch (java.sql.SQLException e) {
            try {
                if (!c.getAutoCommit()) {
                    c.rollback();
                }
            } catch (java.sql.SQLException ignored) {
                // the connection is unusable: its first real statement will say so
            }
        }
    }

    /**
     * Makes sure a COMMIT returns only once its data is written. H2 by default writes committed data
     * up to {@code WRITE_DELAY} (500 ms) later: a decision whose COMMIT had returned was lost when the
     * JVM halted, and recovery then rolled back a branch the other resource had committed. The log sets
     * the delay to 0 (persistent, needs H2's admin right) and refuses to start where it cannot. (H2
     * writes to the operating system without forcing, so it survives a process crash, not a power loss.)
     */
    void requireDurableCommits(java.sql.Connection c, String url) throws java.sql.SQLException {
        if (this != H2) {
            return;
        }
        if (h2WriteDelay(c) == 0) {
            return;
        }
        try (java.sql.Statement st = c.createStatement()) {
            st.execute("SET WRITE_DELAY 0");
        } catch (java.sql.SQLException notAdmin) {
            // checked below
        }
        long delay = h2WriteDelay(c);
        if (delay != 0) {
            throw new dev.pledge.tm.log.JournalException("The H2 database log at " + url + " writes committed data up to " + delay
                    + " ms after COMMIT returns (WRITE_DELAY), so a crash could lose a decision the coordinator acted on, and its user"
                    + " may not change that. Add ;WRITE_DELAY=0 to its URL, or run SET WRITE_DELAY 0 as an admin");
        }
    }

    private static long h2WriteDelay(java.sql.Connection c) throws java.sql.SQLException {
        try (java.sql.Statement st = c.createStatement();
                java.sql.ResultSet rs = st.executeQuery("SELECT SETTING_VALUE FROM INFORMATION_SCHEMA.SETTINGS WHERE SETTING_NAME = 'WRITE_DELAY'")) {
            return rs.next() ? Long.parseLong(rs.getString(1).trim()) : 0;
        }
    }

    static Dialect of(String productName, String url) {
        String p = productName == null ? "" : productName.toLowerCase(Locale.ROOT);
        if (p.contains("postgres")) {
            return POSTGRESQL;
        }
        if (p.contains("mysql") || p.contains("mariadb")) {
            return MYSQL;
        }
        if (p.equals("h2")) {
            return H2;
        }
        throw new JournalException("The database log at " + url + " runs on " + productName
                + ", which Pledge's database log does not support (it supports PostgreSQL, MariaDB/MySQL and H2)");
    }
}
