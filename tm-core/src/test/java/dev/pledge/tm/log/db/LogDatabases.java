package dev.pledge.tm.log.db;

import dev.pledge.tm.log.Gtrid;

import com.mysql.cj.jdbc.MysqlDataSource;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The databases the database-log tests run on: PostgreSQL and MariaDB on loopback (database
 * {@code pledge_log_test}, created when absent) and H2 file databases in a temporary directory.
 * A server that is not there fails the test with a message naming it; nothing is skipped.
 * Each test uses a table prefix of its own, so that tests never share tables.
 */
public final class LogDatabases {
    public static final String DATABASE = "pledge_log_test";
    public static final String PG_HOST = "127.0.0.1:5432";
    public static final String MARIADB_HOST = "127.0.0.1:3306";
    private static final AtomicInteger PREFIXES = new AtomicInteger();
    /**
     * A pause after which the log's kept connection no longer sends a batch as one auto-committed
     * statement (PostgreSQL): a test that takes the database away and wants a clean failure (not a
     * read-back that waits for the database's return) waits this long first.
     */
    public static final long ONE_TRIP_WINDOW_MILLIS = java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(DatabaseJournal.ONE_TRIP_WINDOW_NANOS) + 200;

    private LogDatabases() {
    }

    /** A prefix no other test of this JVM run uses (tables left by an earlier run are dropped first by {@link #dropTables}). */
    public static String uniquePrefix(String what) {
        return "t" + ProcessHandle.current().pid() % 100000 + "_" + what + PREFIXES.incrementAndGet() + "_";
    }

    public static DataSource postgres() {
        String admin = "jdbc:postgresql://" + PG_HOST + "/postgres";
        try (Connection c = DriverManager.getConnection(admin, "postgres", ""); Statement s = c.createStatement()) {
            try (var rs = s.executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + DATABASE + "'")) {
                if (!rs.next()) {
                    try {
                        s.execute("CREATE DATABASE " + DATABASE);
                    } catch (SQLException e) {
                        if (!"42P04".equals(e.getSQLState())) { // created by a concurrent test meanwhile
                            throw e;
                        }
                    }
                }
            }
        } catch (SQLException e) {
            throw new AssertionError("PostgreSQL is needed by this test and is not usable at " + admin + " (user postgres): " + e
                    + ". Start PostgreSQL 15 on " + PG_HOST + ".", e);
        }
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setUrl("jdbc:postgresql://" + PG_HOST + "/" + DATABASE);
        ds.setUser("postgres");
        return ds;
    }

    public static DataSource mariadb() {
        String admin = "jdbc:mysql://" + MARIADB_HOST + "/";
        try (Connection c = DriverManager.getConnection(admin, "root", ""); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE IF NOT EXISTS " + DATABASE);
        } catch (SQLException e) {
            throw new AssertionError("MariaDB is needed by this test and is not usable at " + admin + " (user root): " + e
                    + ". Start MariaDB 10.11 on " + MARIADB_HOST + ".", e);
        }
        MysqlDataSource ds = new MysqlDataSource();
        ds.setUrl("jdbc:mysql://" + MARIADB_HOST + "/" + DATABASE);
        ds.setUser("root");
        ds.setPassword("");
        return ds;
    }

    /** The same test database reached through a local port (a {@link CuttingProxy}): for fault tests. */
    public static DataSource throughPort(String database, int port) {
        if (database.equals("postgresql")) {
            postgres();
            PGSimpleDataSource ds = new PGSimpleDataSource();
            ds.setUrl("jdbc:postgresql://127.0.0.1:" + port + "/" + DATABASE + "?connectTimeout=5&socketTimeout=30&prepareThreshold=0"); // the COMMIT goes as text, for the proxy to see
            ds.setUser("postgres");
            return ds;
        }
        mariadb();
        MysqlDataSource ds = new MysqlDataSource();
        ds.setUrl("jdbc:mysql://127.0.0.1:" + port + "/" + DATABASE + "?connectTimeout=5000&socketTimeout=30000");
        ds.setUser("root");
        ds.setPassword("");
        return ds;
    }

    public static int serverPort(String database) {
        return Integer.parseInt((database.equals("postgresql") ? PG_HOST : MARIADB_HOST).split(":")[1]);
    }

    /** An H2 file database (2PC and durability need a file one) in {@code dir}. */
    public static DataSource h2(Path dir) {
        JdbcDataSource ds = new JdbcDataSource();
        ds.setURL("jdbc:h2:file:" + dir.resolve("log").toAbsolutePath());
        ds.setUser("sa");
        return ds;
    }

    public static DataSource of(String database, Path tmp) {
        return switch (database) {
            case "postgresql" -> postgres();
            case "mariadb" -> mariadb();
            case "h2" -> h2(tmp);
            default -> throw new IllegalArgumentException(database);
        };
    }

    /** Drops the log's tables under {@code prefix} (after a test). */
    public static void dropTables(DataSource ds, String prefix) {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            for (String t : new String[] {"decision", "heuristic", "node", "schema_version"}) {
                s.execute("DROP TABLE IF EXISTS " + prefix + t);
            }
        } catch (SQLException e) {
            throw new AssertionError("Could not drop the test tables " + prefix + "* : " + e, e);
        }
    }

    /** Runs one SQL update in auto-commit mode and returns its count. */
    public static int update(DataSource ds, String sql) {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            return s.executeUpdate(sql);
        } catch (SQLException e) {
            throw new AssertionError(sql + ": " + e, e);
        }
    }

    /** How many decision rows the log under {@code prefix} holds for {@code gtrid}. */
    public static long decisionRows(DataSource ds, String prefix, byte[] gtrid) {
        String sql = "SELECT COUNT(*) FROM " + prefix + "decision WHERE gtrid = ?";
        try (Connection c = ds.getConnection(); var ps = c.prepareStatement(sql)) {
            ps.setBytes(1, gtrid);
            try (var rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        } catch (SQLException e) {
            throw new AssertionError(sql + ": " + e, e);
        }
    }

    /** Every gtrid in the decision table under {@code prefix}. */
    public static java.util.Set<dev.pledge.tm.log.Gtrid> decisionGtrids(DataSource ds, String prefix) {
        java.util.Set<dev.pledge.tm.log.Gtrid> out = new java.util.HashSet<>();
        try (Connection c = ds.getConnection(); Statement s = c.createStatement();
             var rs = s.executeQuery("SELECT gtrid FROM " + prefix + "decision")) {
            while (rs.next()) {
                out.add(new dev.pledge.tm.log.Gtrid(rs.getBytes(1)));
            }
            return out;
        } catch (SQLException e) {
            throw new AssertionError("reading " + prefix + "decision: " + e, e);
        }
    }

    /** The first column of the first row of a query, as a long. */
    public static long queryLong(DataSource ds, String sql) {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement(); var rs = s.executeQuery(sql)) {
            if (!rs.next()) {
                throw new AssertionError(sql + " returned no row");
            }
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new AssertionError(sql + ": " + e, e);
        }
    }

    /** Waits until {@code done} holds, failing with {@code what} when it does not within {@code within}. */
    public static void await(String what, java.time.Duration within, java.util.function.BooleanSupplier done) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("not within " + within + ": " + what);
            }
            Thread.sleep(20);
        }
    }
}
