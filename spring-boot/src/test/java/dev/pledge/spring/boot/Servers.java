package dev.pledge.spring.boot;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * The database servers the tests run on, and what the tests check there. A server that is not
 * reachable fails the test naming it: these tests never skip.
 */
public final class Servers {
    public static final String DATABASE = "pledge_boot";
    public static final String MARIADB_URL = "jdbc:mysql://127.0.0.1:3306/" + DATABASE;
    public static final String POSTGRES_URL = "jdbc:postgresql://127.0.0.1:5432/" + DATABASE;
    /** Pledge's Xid format id (the bytes "PLDG"). */
    static final int PLEDGE_FORMAT_ID = 0x504C4447;

    private Servers() {
    }

    /** Creates database {@value #DATABASE} on both servers if absent. */
    public static void createDatabases() {
        try (Connection c = connect("jdbc:mysql://127.0.0.1:3306/test", "root", "", "MariaDB at 127.0.0.1:3306 (root, no password)");
             Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE IF NOT EXISTS " + DATABASE);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        try (Connection c = connect("jdbc:postgresql://127.0.0.1:5432/postgres", "postgres", "", "PostgreSQL at 127.0.0.1:5432 (postgres, trust)");
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + DATABASE + "'")) {
            if (!rs.next()) {
                s.execute("CREATE DATABASE " + DATABASE);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    public static Connection mariaDb() throws SQLException {
        return connect(MARIADB_URL, "root", "", "MariaDB at 127.0.0.1:3306 (root, no password)");
    }

    public static Connection postgres() throws SQLException {
        return connect(POSTGRES_URL, "postgres", "", "PostgreSQL at 127.0.0.1:5432 (postgres, trust)");
    }

    private static Connection connect(String url, String user, String password, String what) {
        try {
            DriverManager.setLoginTimeout(3);
            return DriverManager.getConnection(url, user, password);
        } catch (SQLException e) {
            throw new AssertionError(what + " is needed by this test and is not reachable: " + e.getMessage()
                    + " (start the server; this test does not skip)", e);
        }
    }

    /**
     * Pledge branches of node {@code node} that MariaDB holds prepared ({@code XA RECOVER} lists the
     * whole server's, other tests' included; a Pledge gtrid starts with its node name and ':').
     */
    static List<String> preparedOnMariaDb(String node) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Connection c = mariaDb(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery("XA RECOVER")) {
            while (rs.next()) {
                if (rs.getInt("formatID") == PLEDGE_FORMAT_ID && rs.getString("data").startsWith(node + ":")) {
                    out.add(rs.getString("data"));
                }
            }
        }
        return out;
    }

    /**
     * Rolls back what an earlier, interrupted run of a test left prepared for node {@code node}
     * (its prepared rows would block the test's set-up); returns how many.
     */
    static int rollBackLeftovers(String node) throws SQLException {
        int n = 0;
        String hexPrefix = "X'" + java.util.HexFormat.of().formatHex((node + ":").getBytes(java.nio.charset.StandardCharsets.UTF_8));
        List<String> xids = new ArrayList<>();
        try (Connection c = mariaDb(); Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("XA RECOVER FORMAT='SQL'")) {
                while (rs.next()) {
                    String xid = rs.getString("data");
                    if (rs.getInt("formatID") == PLEDGE_FORMAT_ID && xid.toUpperCase().startsWith(hexPrefix.toUpperCase())) {
                        xids.add(xid);
                    }
                }
            }
            for (String xid : xids) {
                s.execute("XA ROLLBACK " + xid);
                n++;
            }
        }
        List<String> gids = preparedOnPostgres();
        try (Connection c = postgres(); Statement s = c.createStatement()) {
            for (String gid : gids) {
                s.execute("ROLLBACK PREPARED '" + gid + "'");
                n++;
            }
        }
        return n;
    }

    /** Transactions PostgreSQL holds prepared in {@value #DATABASE} ({@code pg_prepared_xacts}). */
    static List<String> preparedOnPostgres() throws SQLException {
        List<String> out = new ArrayList<>();
        try (Connection c = postgres(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT gid FROM pg_prepared_xacts WHERE database = '" + DATABASE + "'")) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }

    /** Sets accounts {@code 0..n-1} of {@code table} to {@code balance} each, creating the table if needed. */
    public static void resetAccounts(Connection c, String table, int n, long balance) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS " + table + " (id INT PRIMARY KEY, balance BIGINT NOT NULL)");
            s.execute("DELETE FROM " + table);
            for (int i = 0; i < n; i++) {
                s.execute("INSERT INTO " + table + " (id, balance) VALUES (" + i + ", " + balance + ")");
            }
        }
    }

    public static long sum(Connection c, String table) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT COALESCE(SUM(balance), 0) FROM " + table)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    public static long balance(Connection c, String table, int id) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT balance FROM " + table + " WHERE id = " + id)) {
            if (!rs.next()) {
                throw new AssertionError("no account " + id + " in " + table);
            }
            return rs.getLong(1);
        }
    }
}
