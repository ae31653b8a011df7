package dev.pledge.itests;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.postgresql.xa.PGXADataSource;

/**
 * A PostgreSQL cluster of the test's own, on a free port of 127.0.0.1, started with settings the
 * shared server must not have (e.g. {@code max_prepared_transactions=0}). PostgreSQL refuses to run
 * as root, so the cluster is made and run as the {@code postgres} user with the installed server
 * binaries. Fails with the reason when they are missing; never skips.
 */
final class ThrowawayPostgres implements AutoCloseable {
    private final Path dir;
    private final Path bin;
    private final int port;
    private String options;

    private ThrowawayPostgres(Path dir, Path bin, int port) {
        this.dir = dir;
        this.bin = bin;
        this.port = port;
    }

    /** initdb + start, with each {@code -c name=value} setting given. */
    static ThrowawayPostgres start(String... settings) throws IOException, InterruptedException {
        Path bin = serverBinaries();
        Path dir = Files.createTempDirectory("adp-pg-");
        int port = Servers.freePort();
        ThrowawayPostgres pg = new ThrowawayPostgres(dir, bin, port);
        try {
            Servers.run("chown", "postgres", dir.toString());
            asPostgres(bin.resolve("initdb").toString(), "-D", dir.resolve("data").toString(), "-A", "trust", "-U", "postgres",
                    "--no-sync", "-E", "UTF8");
            StringBuilder options = new StringBuilder("-c listen_addresses=127.0.0.1 -c port=" + port + " -c unix_socket_directories="
                    + dir + " -c fsync=off");
            for (String s : settings) {
                options.append(" -c ").append(s);
            }
            pg.options = options.toString();
            pg.startServer();
            return pg;
        } catch (IOException | InterruptedException | RuntimeException e) {
            pg.close();
            throw e;
        }
    }

    /** Starts the stopped server again on the same port and data (waits until it accepts connections). */
    void startServer() throws IOException, InterruptedException {
        asPostgres(bin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-l", dir.resolve("server.log").toString(),
                "-o", options, "-w", "-t", "60", "start");
    }

    /** Stops the server as a crash would ({@code -m immediate}: no checkpoint, clients cut off). */
    void stopServer() throws IOException, InterruptedException {
        asPostgres(bin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-m", "immediate", "-w", "stop");
    }

    PGXADataSource xaDataSource() {
        PGXADataSource ds = new PGXADataSource();
        ds.setUrl(url());
        ds.setUser("postgres");
        ds.setConnectTimeout(5);
        return ds;
    }

    String url() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
    }

    @Override
    public void close() throws IOException, InterruptedException {
        try {
            if (Files.exists(dir.resolve("data/postmaster.pid"))) {
                stopServer();
            }
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** The newest installed PostgreSQL server binaries (Debian layout, as .ci/run installs them). */
    private static Path serverBinaries() {
        Path root = Path.of("/usr/lib/postgresql");
        try (Stream<Path> versions = Files.list(root)) {
            return versions.map(v -> v.resolve("bin")).filter(b -> Files.isExecutable(b.resolve("initdb")))
                    .max(Comparator.comparingInt(b -> Integer.parseInt(b.getParent().getFileName().toString().replaceAll("\\D", "0"))))
                    .orElseThrow(() -> new AssertionError("no PostgreSQL server binaries (initdb) under " + root
                            + "; install them with `apt-get install postgresql` (.ci/run does)"));
        } catch (IOException e) {
            throw new AssertionError("no PostgreSQL server binaries under " + root + " (" + e + "); install them with"
                    + " `apt-get install postgresql` (.ci/run does)", e);
        }
    }

    private static void asPostgres(String... command) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("runuser", "-u", "postgres", "--"));
        cmd.addAll(List.of(command));
        Servers.run(cmd.toArray(new String[0]));
    }
}
