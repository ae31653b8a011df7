package dev.pledge.tm;

import dev.pledge.tm.log.JournalException;
import dev.pledge.tm.log.db.LogDatabases;
import java.nio.file.Path;
import java.time.Duration;
import javax.sql.DataSource;

/**
 * The recovery log a test's service runs on, so that one test runs against both logs: the file log
 * in {@code dir}, or the database log on PostgreSQL, MariaDB or H2 (a file database in {@code dir})
 * under the table prefix {@code prefix}. {@link #spec} passes it to a child JVM as one argument.
 */
record TestLog(String kind, Path dir, String prefix) {
    /** The database log's lease: short, so that a process restarted after a halt takes its node back soon. */
    static final Duration LEASE = Duration.ofSeconds(1);

    static TestLog of(String kind, Path dir) {
        return new TestLog(kind, dir, kind.equals("file") ? "" : LogDatabases.uniquePrefix("tl"));
    }

    /** A plain path is the file log in it (what the file-log-only children took before). */
    static TestLog parse(String spec) {
        String[] p = spec.split("\\|", -1);
        return p.length == 1 ? new TestLog("file", Path.of(spec), "") : new TestLog(p[0], Path.of(p[1]), p[2]);
    }

    String spec() {
        return kind + "|" + dir + "|" + prefix;
    }

    boolean isDatabase() {
        return !kind.equals("file");
    }

    DataSource dataSource() {
        return LogDatabases.of(kind, dir);
    }

    TransactionService.Builder configure(TransactionService.Builder b) {
        return isDatabase() ? b.databaseLog(dataSource()).databaseLogTablePrefix(prefix).databaseLogLease(LEASE) : b.logDirectory(dir);
    }

    /**
     * Builds the service; on a database log whose node row a halted process still holds, waits for
     * that lease to run out by the database's clock (a few leases at most).
     */
    TransactionService build(TransactionService.Builder b) throws InterruptedException {
        long deadline = System.nanoTime() + 3 * LEASE.toNanos() + 2_000_000_000L;
        while (true) {
            try {
                return configure(b).build();
            } catch (JournalException e) {
                if (!isDatabase() || !e.getMessage().contains("held by a live Pledge service") || System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(100);
            }
        }
    }

    /** Drops the database log's tables (nothing for the file log). */
    void drop() {
        if (isDatabase()) {
            LogDatabases.dropTables(dataSource(), prefix);
        }
    }
}
