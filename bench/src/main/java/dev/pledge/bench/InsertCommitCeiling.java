package dev.pledge.bench;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;

/**
 * Child JVM: the log database's own ceiling, one thread on one connection doing single-row
 * {@code INSERT} + {@code COMMIT} transactions (a prepared statement, auto-commit off, a 64-byte
 * row as a decision's), on {@link LogDatabase}. Prints {@code RESULT n=… seconds=…}.
 * <pre>InsertCommitCeiling SECONDS</pre>
 */
public final class InsertCommitCeiling {
    private InsertCommitCeiling() {
    }

    public static void main(String[] args) throws Exception {
        double seconds = Double.parseDouble(args[0]);
        long n = 0;
        long t0;
        try (Connection c = LogDatabase.connect()) {
            try (Statement s = c.createStatement()) {
                s.execute("DROP TABLE IF EXISTS bench_ceiling");
                s.execute("CREATE TABLE bench_ceiling (id BIGINT PRIMARY KEY, payload BYTEA NOT NULL)");
            }
            c.setAutoCommit(false);
            byte[] payload = new byte[64];
            try (PreparedStatement insert = c.prepareStatement("INSERT INTO bench_ceiling (id, payload) VALUES (?, ?)")) {
                // one second of warm-up, uncounted
                long id = 0;
                long warm = System.nanoTime() + 1_000_000_000L;
                while (System.nanoTime() < warm) {
                    insert.setLong(1, ++id);
                    insert.setBytes(2, payload);
                    insert.executeUpdate();
                    c.commit();
                }
                t0 = System.nanoTime();
                long end = t0 + (long) (seconds * 1e9);
                while (System.nanoTime() < end) {
                    insert.setLong(1, ++id);
                    insert.setBytes(2, payload);
                    insert.executeUpdate();
                    c.commit();
                    n++;
                }
            }
            double elapsed = (System.nanoTime() - t0) / 1e9;
            c.setAutoCommit(true);
            try (Statement s = c.createStatement()) {
                s.execute("DROP TABLE bench_ceiling");
            }
            System.out.printf(java.util.Locale.ROOT, "RESULT n=%d seconds=%.3f%n", n, elapsed);
        }
    }
}
