package dev.pledge.tm.log.db;

import dev.pledge.tm.log.JournalException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The log's tables under one prefix, their DDL per dialect and the schema-version check.
 * <pre>
 * {prefix}schema_version (name PK, version)                      one row 'pledge-log' = {@link #VERSION}
 * {prefix}node     (name PK, epoch, lease_expires, taken_at, last_batch, renewed_at, adopted_by)   one row per node name
 * {prefix}decision (gtrid PK, node, epoch, decided_at, branches)           commit decisions not yet completed
 * {prefix}heuristic(node, epoch, seq PK; gtrid, bqual, resource_name, xa_code, decision_was_commit, at_millis)
 * </pre>
 * The tables hold only what is in doubt: completed decisions and resolved heuristics are deleted.
 * Version 2 added {@code renewed_at} and {@code adopted_by} (the peer that took the node over) to the
 * node table; a version-1 log is migrated in place at open ({@code ALTER TABLE ... ADD}).
 */
final class Tables {
    static final int VERSION = 2;
    static final String COMPONENT = "pledge-log";
    private static final Pattern PREFIX = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,39}");

    final Dialect dialect;
    final String url;
    final String schemaVersion;
    final String node;
    final String decision;
    final String heuristic;

    Tables(Dialect dialect, String prefix, String url) {
        this.dialect = dialect;
        this.url = url;
        this.schemaVersion = prefix + "schema_version";
        this.node = prefix + "node";
        this.decision = prefix + "decision";
        this.heuristic = prefix + "heuristic";
    }

    static String checkPrefix(String prefix) {
        if (prefix == null || !PREFIX.matcher(prefix).matches()) {
            throw new IllegalArgumentException("databaseLogTablePrefix must be a letter or '_' followed by up to 39 letters, digits or '_'"
                    + " (it starts SQL table names), not '" + prefix + "'");
        }
        return prefix;
    }

    /** The node table's columns that version 2 added; nullable, so that a version-1 table takes them with ALTER TABLE. */
    private static final String V2_COLUMNS_SQL = "renewed_at %s NULL, adopted_by VARCHAR(64) NULL";

    private List<String> ddl() {
        Dialect d = dialect;
        String v2Columns = String.format(V2_COLUMNS_SQL, d.timestamp);
        return List.of(
                "CREATE TABLE IF NOT EXISTS " + schemaVersion + " (name VARCHAR(64) NOT NULL PRIMARY KEY, version INT NOT NULL)",
                "CREATE TABLE IF NOT EXISTS " + node + " (name VARCHAR(64) NOT NULL PRIMARY KEY, epoch BIGINT NOT NULL, lease_expires "
                        + d.timestamp + " NOT NULL, taken_at " + d.timestamp + " NOT NULL, last_batch BIGINT NOT NULL, " + v2Columns + ")",
                "CREATE TABLE IF NOT EXISTS " + decision + " (gtrid " + d.shortBinary + " NOT NULL PRIMARY KEY, node VARCHAR(64) NOT NULL,"
                        + " epoch BIGINT NOT NULL, decided_at BIGINT NOT NULL, branches " + d.longBinary + " NOT NULL)",
                "CREATE TABLE IF NOT EXISTS " + heuristic + " (node VARCHAR(64) NOT NULL, epoch BIGINT NOT NULL, seq BIGINT NOT NULL,"
                        + " gtrid " + d.shortBinary + " NOT NULL, bqual " + d.shortBinary + " NOT NULL, resource_name " + d.text
                        + " NOT NULL, xa_code INT NOT NULL, decision_was_commit SMALLINT NOT NULL, at_millis BIGINT NOT NULL,"
                        + " PRIMARY KEY (node, epoch, seq))");
    }

    /** The column lists every query of the log relies on; a table that lacks one is not the log's. */
    private List<String[]> probes() {
        return List.of(
                new String[] {node, "name, epoch, lease_expires, taken_at, last_batch, renewed_at, adopted_by"},
                new String[] {decision, "gtrid, node, epoch, decided_at, branches"},
                new String[] {heuristic, "node, epoch, seq, gtrid, bqual, resource_name, xa_code, decision_was_commit, at_millis"});
    }

    /**
     * Creates the tables that are absent and checks the schema version; throws a
     * {@link JournalException} naming the table and what to do when the schema is newer or foreign.
     */
    void createOrCheck(Connection c) {
        Integer version = readVersion(c);
        if (version == null) {
            createTables(c);
            checkOurs(c, true);
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + schemaVersion + " (name, version) VALUES (?, ?)")) {
                ps.setString(1, COMPONENT);
                ps.setInt(2, VERSION);
                ps.executeUpdate();
                c.commit();
            } catch (SQLException e) {
                rollbackQuietly(c); // another service created the schema at the same moment: read what it wrote
            }
            version = readVersion(c);
            if (version == null) {
                throw new JournalException("Table " + schemaVersion + " in " + url + " has no row for '" + COMPONENT
                        + "': it is not a Pledge log table. Drop or rename it, or give the log another databaseLogTablePrefix.");
            }
        }
        if (version > VERSION) {
            throw new JournalException("The database log in " + url + " has schema version " + version + " (table " + schemaVersion
                    + "), newer than the " + VERSION + " this Pledge knows: it was written by a newer Pledge. Run that version, or"
                    + " give this one another databaseLogTablePrefix.");
        }
        if (version == 1) {
            migrateFromVersion1(c);
            version = readVersion(c);
        }
        if (version < VERSION) {
            throw new JournalException("The database log in " + url + " has schema version " + version + " (table " + schemaVersion
                    + "), older than the " + VERSION + " this Pledge needs, and no migration exists: finish its transactions with"
                    + " the older Pledge first.");
        }
        checkOurs(c, false);
    }

    /**
     * Runs the DDL. Services that start at the same moment on an empty database race in it, and
     * PostgreSQL's {@code CREATE TABLE IF NOT EXISTS} is not safe against that (the loser fails with a
     * duplicate key in its catalog): a failure is retried a few times, each retry skipping what the
     * winner created, before it is reported.
     */
    private void createTables(Connection c) {
        for (int attempt = 1; ; attempt++) {
            try (Statement s = c.createStatement()) {
                for (String sql : ddl()) {
                    s.execute(sql);
                }
                c.commit();
                return;
            } catch (SQLException e) {
                rollbackQuietly(c);
                if (attempt >= 5) {
                    throw new JournalException("Cannot create the database log's tables (" + schemaVersion + ", " + node + ", " + decision
                            + ", " + heuristic + ") in " + url + ": " + e + ". Grant the log's user CREATE TABLE, or create them by hand.", e);
                }
                try {
                    Thread.sleep(50L * attempt + java.util.concurrent.ThreadLocalRandom.current().nextInt(50));
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new JournalException("Interrupted while creating the database log's tables in " + url, ie);
                }
            }
        }
    }

    /**
     * Adds version 2's node columns to a version-1 log and records version 2. Two services migrating
     * at once: the loser's ALTER fails, and it reads the version the winner wrote.
     */
    private void migrateFromVersion1(Connection c) {
        try (Statement s = c.createStatement()) {
            s.execute("ALTER TABLE " + node + " ADD renewed_at " + dialect.timestamp + " NULL");
            s.execute("ALTER TABLE " + node + " ADD adopted_by VARCHAR(64) NULL");
            s.executeUpdate("UPDATE " + schemaVersion + " SET version = " + VERSION + " WHERE name = '" + COMPONENT + "' AND version = 1");
            c.commit();
        } catch (SQLException e) {
            rollbackQuietly(c);
            Integer now = readVersion(c);
            if (now == null || now < VERSION) {
                throw new JournalException("The database log in " + url + " has schema version 1 (table " + schemaVersion + ") and could"
                        + " not be migrated to version " + VERSION + " (adding columns renewed_at and adopted_by to " + node + "): " + e
                        + ". Grant the log's user ALTER TABLE, or add them by hand: ALTER TABLE " + node + " ADD renewed_at "
                        + dialect.timestamp + " NULL; ALTER TABLE " + node + " ADD adopted_by VARCHAR(64) NULL; UPDATE " + schemaVersion
                        + " SET version = " + VERSION + ".", e);
            }
        }
    }

    /** The version row, or null when the version table or its row is absent. */
    private Integer readVersion(Connection c) {
        try (PreparedStatement ps = c.prepareStatement("SELECT version FROM " + schemaVersion + " WHERE name = ?")) {
            ps.setString(1, COMPONENT);
            try (ResultSet rs = ps.executeQuery()) {
                Integer v = rs.next() ? rs.getInt(1) : null;
                c.commit();
                return v;
            }
        } catch (SQLException e) {
            rollbackQuietly(c);
            if (!isMissingTableOrColumn(e)) {
                throw new JournalException("Cannot read table " + schemaVersion + " of the database log in " + url + ": " + e, e);
            }
            return null;
        }
    }

    private void checkOurs(Connection c, boolean justCreated) {
        for (String[] p : probes()) {
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT " + p[1] + " FROM " + p[0] + " WHERE 1 = 0")) {
                c.commit();
            } catch (SQLException e) {
                rollbackQuietly(c);
                throw new JournalException("Table " + p[0] + " in " + url + " is not a Pledge log table (it lacks the columns " + p[1]
                        + ": " + e.getMessage() + ")" + (justCreated ? ", and it existed before Pledge created the others" : "")
                        + ". Drop or rename it, or give the log another databaseLogTablePrefix.", e);
            }
        }
    }

    static boolean isMissingTableOrColumn(SQLException e) {
        String state = e.getSQLState();
        // 42P01 PostgreSQL undefined table, 42S02 MySQL/MariaDB and H2 table not found, 42S22/42703 column not found
        return state != null && (state.equals("42P01") || state.equals("42S02") || state.equals("42S22") || state.equals("42703")
                || state.equals("42S04") || state.equals("42102") || state.equals("42122"));
    }

    static void rollbackQuietly(Connection c) {
        try {
            c.rollback();
        } catch (SQLException | RuntimeException ignored) {
            // the connection is being given up, or the transaction is gone already
        }
    }
}
