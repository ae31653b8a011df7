package dev.pledge.itests.bank;

import com.mysql.cj.jdbc.MysqlXADataSource;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A MariaDB server owned by one test: its own data directory, port and socket, so that the test
 * may kill it with SIGKILL and start it again without touching the machine's shared server.
 * Grant tables are skipped: root connects over TCP without a password.
 */
final class PrivateMariaDb implements AutoCloseable {
    private static final String SERVER = "/usr/sbin/mariadbd";
    private static final String INSTALL = "/usr/bin/mariadb-install-db";

    private final Path dir;
    private final int port;
    private Process server;

    private PrivateMariaDb(Path dir, int port) {
        this.dir = dir;
        this.port = port;
    }

    /** Initialises a data directory under {@code dir} and starts a server on a free port. */
    static PrivateMariaDb start(Path dir) throws IOException, InterruptedException {
        for (String exe : List.of(SERVER, INSTALL)) {
            if (!Files.isExecutable(Path.of(exe))) {
                throw new AssertionError(exe + " is missing: the end-to-end bank test starts its own MariaDB server."
                        + " Install it with `apt-get install mariadb-server` (10.5 or newer)");
            }
        }
        Files.createDirectories(dir);
        Process install = new ProcessBuilder(INSTALL, "--no-defaults", "--datadir=" + dir.resolve("data"), "--user=root",
                "--auth-root-authentication-method=normal", "--skip-test-db")
                .redirectErrorStream(true).redirectOutput(dir.resolve("install.log").toFile()).start();
        if (!install.waitFor(120, TimeUnit.SECONDS) || install.exitValue() != 0) {
            install.destroyForcibly();
            throw new AssertionError("mariadb-install-db failed:\n" + Files.readString(dir.resolve("install.log")));
        }
        PrivateMariaDb db = new PrivateMariaDb(dir, freePort());
        db.startServer();
        return db;
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    int port() {
        return port;
    }

    String url(String database) {
        return "jdbc:mysql://127.0.0.1:" + port + "/" + database;
    }

    Connection connection(String database) throws SQLException {
        return DriverManager.getConnection(url(database) + "?connectTimeout=3000", "root", "");
    }

    static MysqlXADataSource xaDataSource(int port, String database) {
        MysqlXADataSource ds = new MysqlXADataSource();
        ds.setUrl("jdbc:mysql://127.0.0.1:" + port + "/" + database);
        ds.setUser("root");
        ds.setPassword("");
        try {
            ds.setConnectTimeout(3000);
            ds.setSocketTimeout(20_000);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return ds;
    }

    /** Kills the server with SIGKILL: no shutdown, InnoDB recovers from its redo log at the next start. */
    void kill() throws InterruptedException {
        server.destroyForcibly();
        if (!server.waitFor(30, TimeUnit.SECONDS)) {
            throw new AssertionError("mariadbd (pid " + server.pid() + ") did not die within 30 s of SIGKILL");
        }
    }

    /** Starts the server on the same data directory and port and waits until it answers. */
    void startServer() throws IOException, InterruptedException {
        Path log = dir.resolve("mariadbd.log");
        server = new ProcessBuilder(SERVER, "--no-defaults", "--datadir=" + dir.resolve("data"), "--port=" + port,
                "--bind-address=127.0.0.1", "--socket=" + dir.resolve("sock"), "--pid-file=" + dir.resolve("pid"), "--user=root",
                "--skip-grant-tables", "--skip-log-bin", "--innodb-buffer-pool-size=32M", "--max-connections=60", "--log-error=" + log)
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("stdout.log").toFile())).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        SQLException last = null;
        while (System.nanoTime() < deadline) {
            if (!server.isAlive()) {
                throw new AssertionError("mariadbd exited with " + server.exitValue() + ":\n" + tail(log));
            }
            try (Connection c = connection("mysql")) {
                if (c.isValid(2)) {
                    return;
                }
            } catch (SQLException e) {
                last = e;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the private mariadbd did not answer on port " + port + " within 60 s (" + last + "):\n" + tail(log));
    }

    private static String tail(Path log) throws IOException {
        if (!Files.exists(log)) {
            return "(no log)";
        }
        List<String> lines = Files.readAllLines(log);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
    }

    @Override
    public void close() throws InterruptedException {
        if (server != null && server.isAlive()) {
            kill();
        }
    }
}
