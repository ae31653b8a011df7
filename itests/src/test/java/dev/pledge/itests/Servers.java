package dev.pledge.itests;

import com.mysql.cj.jdbc.MysqlXADataSource;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.postgresql.xa.PGXADataSource;

/**
 * The real database servers of the integration tests, and what the tests check on them. A server
 * that is not reachable fails the test with how to start it: these tests never skip.
 */
public final class Servers {
    static final String MARIADB_URL = mariaDbUrl("test");
    static final String POSTGRES_URL = postgresUrl("test");
    /** Pledge's Xid format id (the bytes "PLDG"). */
    static final int PLEDGE_FORMAT_ID = 0x504C4447;

    private Servers() {
    }

    private static String mariaDbUrl(String database) {
        return "jdbc:mysql://127.0.0.1:3306/" + database;
    }

    private static String postgresUrl(String database) {
        return "jdbc:postgresql://127.0.0.1:5432/" + database;
    }

    static MysqlXADataSource mariaDb() {
        requireMariaDb();
        return mariaDbUnchecked();
    }

    static MysqlXADataSource mariaDbUnchecked() {
        return mariaDbUnchecked("test");
    }

    /** An XA data source on MariaDB database {@code database} (see {@link #createDatabases}). */
    public static MysqlXADataSource mariaDb(String database) {
        requireMariaDb();
        return mariaDbUnchecked(database);
    }

    private static MysqlXADataSource mariaDbUnchecked(String database) {
        MysqlXADataSource ds = new MysqlXADataSource();
        ds.setUrl(mariaDbUrl(database));
        ds.setUser("root");
        ds.setPassword("");
        try {
            ds.setConnectTimeout(3000);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return ds;
    }

    static PGXADataSource postgres() {
        return postgres("test");
    }

    /** An XA data source on PostgreSQL database {@code database} (see {@link #createDatabases}). */
    public static PGXADataSource postgres(String database) {
        requirePostgres();
        PGXADataSource ds = new PGXADataSource();
        ds.setUrl(postgresUrl(database));
        ds.setUser("postgres");
        ds.setConnectTimeout(3);
        return ds;
    }

    static Connection mariaDbConnection() throws SQLException {
        return mariaDbConnection("test");
    }

    static Connection postgresConnection() throws SQLException {
        return postgresConnection("test");
    }

    public static Connection mariaDbConnection(String database) throws SQLException {
        return DriverManager.getConnection(mariaDbUrl(database) + "?connectTimeout=3000", "root", "");
    }

    public static Connection postgresConnection(String database) throws SQLException {
        return DriverManager.getConnection(postgresUrl(database) + "?connectTimeout=3", "postgres", "");
    }

    /** Creates database {@code name} on MariaDB and on PostgreSQL where it is missing; fails with how to start a missing server. */
    public static void createDatabases(String name) throws SQLException {
        requireMariaDb();
        requirePostgres();
        try (Connection c = mariaDbConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE IF NOT EXISTS " + name);
        }
        try (Connection c = postgresConnection(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + name + "'")) {
            if (!rs.next()) {
                s.execute("CREATE DATABASE " + name);
            }
        }
    }

    public static void requireMariaDb() {
        try (Connection c = mariaDbConnection()) {
            c.isValid(2);
        } catch (SQLException e) {
            throw new AssertionError("MariaDB is not reachable at 127.0.0.1:3306 (user root, empty password, database test): "
                    + e.getMessage() + ". Start it with `start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd`"
                    + " and `mariadb -uroot -e 'create database if not exists test'`, or run .ci/run, which does both", e);
        }
    }

    public static void requirePostgres() {
        try (Connection c = postgresConnection(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SHOW max_prepared_transactions")) {
            rs.next();
            if (rs.getInt(1) <= 0) {
                throw new AssertionError("PostgreSQL at 127.0.0.1:5432 has max_prepared_transactions = 0; the XA tests need it > 0."
                        + " Run .ci/run (ensure_postgres writes conf.d/95-pledge-xa.conf and restarts the cluster)");
            }
        } catch (SQLException e) {
            throw new AssertionError("PostgreSQL is not reachable at 127.0.0.1:5432 (user postgres, trust auth, database test): "
                    + e.getMessage() + ". Start it with `pg_ctlcluster --skip-systemctl-redirect 15 main start`, or run .ci/run"
                    + " (which also creates the database test and enables prepared transactions)", e);
        }
    }

    /** Prepared XA branches on MariaDB whose gtrid was made by Pledge node {@code node}, as readable strings. */
    public static List<String> mariaDbXidsOf(String node) throws SQLException {
        return mariaDbXidsOf(mariaDbConnection(), node);
    }

    /** Prepared XA branches of Pledge node {@code node} on the MariaDB server of {@code connection}, which this closes. */
    public static List<String> mariaDbXidsOf(Connection connection, String node) throws SQLException {
        List<String> ours = new ArrayList<>();
        try (Connection c = connection; Statement s = c.createStatement(); ResultSet rs = s.executeQuery("XA RECOVER")) {
            while (rs.next()) {
                int format = rs.getInt("formatID");
                int gtridLength = rs.getInt("gtrid_length");
                byte[] data = rs.getBytes("data");
                byte[] gtrid = Arrays.copyOf(data, gtridLength);
                if (format == PLEDGE_FORMAT_ID && isFromNode(gtrid, node)) {
                    ours.add(new String(gtrid, StandardCharsets.ISO_8859_1));
                }
            }
        }
        return ours;
    }

    /** Prepared transactions on PostgreSQL (all databases) whose gtrid was made by Pledge node {@code node}. */
    public static List<String> postgresXidsOf(String node) throws SQLException {
        List<String> ours = new ArrayList<>();
        try (Connection c = postgresConnection(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT gid FROM pg_prepared_xacts")) {
            while (rs.next()) {
                String gid = rs.getString(1);
                String[] parts = gid.split("_");
                if (parts.length == 3 && parts[0].equals(Integer.toString(PLEDGE_FORMAT_ID))) {
                    byte[] gtrid = Base64.getDecoder().decode(parts[1]);
                    if (isFromNode(gtrid, node)) {
                        ours.add(gid);
                    }
                }
            }
        }
        return ours;
    }

    /** The names of the Pledge nodes that have prepared branches on MariaDB or on PostgreSQL (any database). */
    public static java.util.Set<String> nodesWithPreparedBranches() throws SQLException {
        java.util.Set<String> nodes = new java.util.TreeSet<>();
        try (Connection c = mariaDbConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery("XA RECOVER")) {
            while (rs.next()) {
                if (rs.getInt("formatID") == PLEDGE_FORMAT_ID) {
                    nodeOf(Arrays.copyOf(rs.getBytes("data"), rs.getInt("gtrid_length"))).ifPresent(nodes::add);
                }
            }
        }
        try (Connection c = postgresConnection(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT gid FROM pg_prepared_xacts")) {
            while (rs.next()) {
                String[] parts = rs.getString(1).split("_");
                if (parts.length == 3 && parts[0].equals(Integer.toString(PLEDGE_FORMAT_ID))) {
                    nodeOf(Base64.getDecoder().decode(parts[1])).ifPresent(nodes::add);
                }
            }
        }
        return nodes;
    }

    /** The node name of a Pledge gtrid (the name, ':', 16 bytes). */
    private static java.util.Optional<String> nodeOf(byte[] gtrid) {
        int nameLength = gtrid.length - 17;
        return nameLength > 0 && gtrid[nameLength] == ':'
                ? java.util.Optional.of(new String(gtrid, 0, nameLength, StandardCharsets.UTF_8)) : java.util.Optional.empty();
    }

    /** Whether {@code xid} is a branch of a transaction that Pledge node {@code node} began. */
    public static boolean isFromNode(javax.transaction.xa.Xid xid, String node) {
        return xid.getFormatId() == PLEDGE_FORMAT_ID && isFromNode(xid.getGlobalTransactionId(), node);
    }

    private static boolean isFromNode(byte[] gtrid, String node) {
        byte[] prefix = (node + ":").getBytes(StandardCharsets.UTF_8);
        return gtrid.length == prefix.length + 16 && Arrays.equals(gtrid, 0, prefix.length, prefix, 0, prefix.length);
    }

    /** The machine's MariaDB writes its process id here (see /etc/mysql/my.cnf). */
    private static final java.nio.file.Path MARIADB_PID_FILE = java.nio.file.Path.of("/run/mysqld/mysqld.pid");

    /**
     * Stops MariaDB and waits until its process has exited: the server stops answering well before
     * it is gone, and a start issued in between would find it "already running" and do nothing.
     */
    static void stopMariaDb() throws IOException, InterruptedException {
        java.util.Optional<ProcessHandle> server = mariaDbProcess();
        run("mariadb-admin", "-uroot", "shutdown");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (server.map(ProcessHandle::isAlive).orElse(false)) {
                Thread.sleep(200);
                continue;
            }
            try (Connection c = mariaDbConnection()) {
                c.isValid(1);
                Thread.sleep(200);
            } catch (SQLException down) {
                return;
            }
        }
        throw new AssertionError("MariaDB still runs 60 s after mariadb-admin shutdown (pid file " + MARIADB_PID_FILE + ")");
    }

    private static java.util.Optional<ProcessHandle> mariaDbProcess() {
        try {
            return ProcessHandle.of(Long.parseLong(java.nio.file.Files.readString(MARIADB_PID_FILE).trim()));
        } catch (IOException | NumberFormatException e) {
            return java.util.Optional.empty();
        }
    }

    /** Starts MariaDB (if it is not running) and waits until it answers, starting it again while it does not. */
    static void startMariaDb() throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        long nextStart = 0;
        SQLException last = null;
        while (System.nanoTime() < deadline) {
            if (System.nanoTime() - nextStart >= 0) {
                run("start-stop-daemon", "--start", "--oknodo", "--background", "--pidfile", MARIADB_PID_FILE.toString(),
                        "--exec", "/usr/sbin/mariadbd");
                nextStart = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            }
            try (Connection c = mariaDbConnection()) {
                if (c.isValid(2)) {
                    return;
                }
            } catch (SQLException e) {
                last = e;
            }
            Thread.sleep(250);
        }
        throw new AssertionError("MariaDB did not answer within 60 s of being started", last);
    }

    /** A TCP port of 127.0.0.1 that nothing listens on right now. */
    static int freePort() throws IOException {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** Runs a command to completion (at most 60 s); fails with its output unless it exits 0. */
    static void run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + out);
        }
    }
}
