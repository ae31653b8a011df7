package dev.pledge.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.pledge.tm.RecoveryReport;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

/**
 * What the takeover tests check on the log database and the two servers: a node finished (no row
 * of it in the log, no branch of it prepared on MariaDB or PostgreSQL), and the money conserved.
 */
record ClusterChecks(LogDatabase log, Accounts mariaDb, Accounts postgres, long total) {

    /**
     * Creates the two account tables of {@code tables}, each account holding {@code initial}, after
     * finishing what an interrupted earlier run left of the nodes whose names start with {@code nodes} (rows in the log,
     * branches prepared on the servers: they would lock the tables).
     */
    static ClusterChecks create(LogDatabase log, String nodes, String tables, long initial) throws SQLException, InterruptedException {
        Set<String> left = new TreeSet<>(Servers.nodesWithPreparedBranches());
        left.addAll(log.nodeNames());
        for (String node : left) {
            if (node.startsWith(nodes)) {
                RecoveryReport r = TransferNode.recover(node, log, Duration.ofSeconds(2));
                if (!r.isClean()) {
                    throw new AssertionError("could not finish what an earlier run left of node " + node + ": " + r);
                }
            }
        }
        log.dropTables();
        // The tables are made here, once: services that start at the same time on a log without tables race to create them, and
        // PostgreSQL's CREATE TABLE IF NOT EXISTS fails on a concurrent one (duplicate key in pg_type), so one node would not start.
        TransferNode.service(nodes + "setup", log, Duration.ofSeconds(2)).build().close();
        Accounts m = TransferNode.mariaDbAccounts(tables).create(TransferNode.ACCOUNTS, initial);
        Accounts p = TransferNode.postgresAccounts(tables).create(TransferNode.ACCOUNTS, initial);
        return new ClusterChecks(log, m, p, 2 * TransferNode.ACCOUNTS * initial);
    }

    /** Whether nothing of {@code node} is left: no row in the log, no prepared branch on either server. */
    boolean finished(String node) throws SQLException {
        return log.rowsOf(node) == 0 && Servers.mariaDbXidsOf(node).isEmpty() && Servers.postgresXidsOf(node).isEmpty();
    }

    /**
     * Waits until a peer adopted {@code node} and retired it (no row of it left in the log) and nothing
     * of it is prepared on PostgreSQL; returns the milliseconds it took.
     */
    long awaitAdoptedAndRetired(String node, long timeoutMillis, String what) throws SQLException, InterruptedException {
        return await(node, timeoutMillis, what, () -> log.rowsOf(node) == 0 && Servers.postgresXidsOf(node).isEmpty());
    }

    /** Waits until a peer adopted {@code node} (or already retired it: no row of it left); returns the milliseconds it took. */
    long awaitAdopted(String node, long timeoutMillis, String what) throws SQLException, InterruptedException {
        return await(node, timeoutMillis, what, () -> log.isAdopted(node) || log.rowsOf(node) == 0);
    }

    /** Waits until nothing of {@code node} is prepared on PostgreSQL. */
    long awaitPostgresFinished(String node, long timeoutMillis, String what) throws SQLException, InterruptedException {
        return await(node, timeoutMillis, what, () -> Servers.postgresXidsOf(node).isEmpty());
    }

    /** Waits until {@link #finished} for {@code node}; returns the milliseconds it took, fails with what is left after {@code timeoutMillis}. */
    long awaitFinished(String node, long timeoutMillis, String what) throws SQLException, InterruptedException {
        return await(node, timeoutMillis, what, () -> finished(node));
    }

    private interface Condition {
        boolean holds() throws SQLException;
    }

    private long await(String node, long timeoutMillis, String what, Condition done) throws SQLException, InterruptedException {
        long start = System.nanoTime();
        while (!done.holds()) {
            if (System.nanoTime() - start > TimeUnit.MILLISECONDS.toNanos(timeoutMillis)) {
                throw new AssertionError(what + ": node " + node + " not finished within " + timeoutMillis + " ms: " + log.rowsOf(node)
                        + " rows in the log (epoch " + log.epochOf(node) + "), prepared on MariaDB " + Servers.mariaDbXidsOf(node)
                        + ", on PostgreSQL " + Servers.postgresXidsOf(node));
            }
            Thread.sleep(25);
        }
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    }

    /** Once every node has stopped: the money is conserved and nothing of any node is left anywhere. */
    void assertAllFinished(Collection<String> nodes, String what) throws SQLException {
        assertEquals(total, mariaDb.total() + postgres.total(), what + ": money created or destroyed (a transaction split)");
        for (String n : nodes) {
            assertEquals(List.of(), Servers.mariaDbXidsOf(n), what + ": XA RECOVER on MariaDB holds branches of " + n);
            assertEquals(List.of(), Servers.postgresXidsOf(n), what + ": pg_prepared_xacts holds branches of " + n);
            assertEquals(0, log.rowsOf(n), what + ": the log still has rows of " + n);
        }
    }
}
