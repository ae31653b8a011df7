package dev.pledge.itests;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * A database log's tables under one prefix in a PostgreSQL database of their own (neither of the two
 * databases the transfers touch): what a node JVM logs to and what the tests read back.
 */
record LogDatabase(String url, String prefix) {
    /** The third database of the shared PostgreSQL server that the crash and cluster tests log to. */
    static final String SHARED_DATABASE = "pledge_itest_log";

    /** The log in {@link #SHARED_DATABASE} on the shared PostgreSQL server, created when missing. */
    static LogDatabase onSharedPostgres(String prefix) throws SQLException {
        Servers.requirePostgres();
        try (Connection c = Servers.postgresConnection(); Statement s = c.createStatement()) {
            boolean exists;
            try (ResultSet rs = s.executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + SHARED_DATABASE + "'")) {
                exists = rs.next();
            }
            if (!exists) {
                try {
                    s.execute("CREATE DATABASE " + SHARED_DATABASE);
                } catch (SQLException e) {
                    if (!"42P04".equals(e.getSQLState())) { // made by a concurrent test meanwhile
                        throw e;
                    }
                }
            }
        }
        return new LogDatabase("jdbc:postgresql://127.0.0.1:5432/" + SHARED_DATABASE, prefix);
    }

    /** A plain DataSource of the log database, as a node gives it to {@code databaseLog(...)}. */
    DataSource dataSource() {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setUrl(url);
        ds.setUser("postgres");
        ds.setConnectTimeout(3);
        ds.setSocketTimeout(30);
        return ds;
    }

    Connection connect() throws SQLException {
        return DriverManager.getConnection(url + "?connectTimeout=3", "postgres", "");
    }

    /** Drops this prefix's log tables (they belong to the test that chose the prefix). */
    void dropTables() throws SQLException {
        try (Connection c = connect(); Statement s = c.createStatement()) {
            for (String table : new String[] {"schema_version", "node", "decision", "heuristic"}) {
                s.execute("DROP TABLE IF EXISTS " + prefix + table);
            }
        }
    }

    /** The node names in the log's node table (none when the log has no tables yet). */
    java.util.List<String> nodeNames() throws SQLException {
        java.util.List<String> names = new java.util.ArrayList<>();
        try (Connection c = connect(); Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT name FROM " + prefix + "node")) {
                while (rs.next()) {
                    names.add(rs.getString(1));
                }
            } catch (SQLException noTable) {
                if (!"42P01".equals(noTable.getSQLState())) { // undefined_table
                    throw noTable;
                }
            }
        }
        return names;
    }

    /** Commit decisions of {@code node} still in the log. */
    long decisionsOf(String node) throws SQLException {
        return count("SELECT COUNT(*) FROM " + prefix + "decision WHERE node = ?", node);
    }

    /** Rows of any table of the log that name {@code node}. */
    long rowsOf(String node) throws SQLException {
        return count("SELECT (SELECT COUNT(*) FROM " + prefix + "node WHERE name = ?) + (SELECT COUNT(*) FROM " + prefix
                + "decision WHERE node = ?) + (SELECT COUNT(*) FROM " + prefix + "heuristic WHERE node = ?)", node, node, node);
    }

    /** The epoch of {@code node}'s row, or -1 when it has none. */
    long epochOf(String node) throws SQLException {
        try (Connection c = connect(); PreparedStatement ps = c.prepareStatement("SELECT epoch FROM " + prefix + "node WHERE name = ?")) {
            ps.setString(1, node);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : -1;
            }
        }
    }

    /** Whether a peer holds {@code node} adopted now (its row names an adopter). */
    boolean isAdopted(String node) throws SQLException {
        return count("SELECT COUNT(*) FROM " + prefix + "node WHERE name = ? AND adopted_by IS NOT NULL", node) > 0;
    }

    long count(String sql, String... params) throws SQLException {
        try (Connection c = connect(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setString(i + 1, params[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }
}
