package dev.pledge.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;

/**
 * Child JVM: T threads transferring from MariaDB to PostgreSQL with one contender. Prints the
 * {@link LoadLoop} RESULT line plus {@code moved=…}: how much money arrived on PostgreSQL, which
 * must equal the committed transactions ({@code all}), checked by the parent.
 * <pre>DbRunOne CONTENDER THREADS WARMUP_SECONDS MEASURE_SECONDS DIR MARIADB_HOST:PORT POSTGRES_HOST:PORT MAX_POOL</pre>
 */
public final class DbRunOne {
    private DbRunOne() {
    }

    public static void main(String[] args) throws Exception {
        String contender = args[0];
        int threads = Integer.parseInt(args[1]);
        double warmup = Double.parseDouble(args[2]);
        double measure = Double.parseDouble(args[3]);
        Path dir = Files.createDirectories(Path.of(args[4]));
        DbServers servers = new DbServers(args[5], args[6]);
        int maxPool = Integer.parseInt(args[7]);
        long before = credited(servers);
        try (DbContender c = DbContender.named(contender)) {
            LoadLoop.Body body = c.start(servers, dir, threads, maxPool);
            LoadLoop.run(threads, warmup, measure, body, c::forces);
        }
        System.out.println("RESULT moved=" + (credited(servers) - before));
        System.exit(0);
    }

    static long credited(DbServers servers) throws Exception {
        try (Connection c = DriverManager.getConnection(servers.postgresUrl())) {
            return DbSetup.total(c);
        }
    }
}
