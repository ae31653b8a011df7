package dev.pledge.tm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pledge.tm.log.db.LogDatabases;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * Crash means crash, with the decision log in PostgreSQL and then in MariaDB: a child JVM coordinating 2PC over two
 * file-backed resource managers is halted at random moments under load, 20 times over the same log
 * tables, and after each halt a new JVM takes the node back and recovers. Every transaction must
 * then have one outcome on both resources, every acknowledged commit must be there, nothing may
 * stay prepared, and no decision may stay in the log.
 */
class DatabaseLogCrashRecoveryTest {
    @TempDir
    Path tmp;
    private final String prefix = LogDatabases.uniquePrefix("crash");
    private DataSource ds;

    @AfterEach
    void drop() {
        if (ds != null) {
            LogDatabases.dropTables(ds, prefix);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"postgresql", "mariadb"})
    void randomHaltsWithTheLogInADatabaseLeaveOneOutcomePerTransaction(String database) throws Exception {
        ds = LogDatabases.of(database, null);
        LogDatabases.dropTables(ds, prefix);
        long seed = new Random().nextLong();
        Random random = new Random(seed);
        int committedTotal = 0;
        int inDoubtTotal = 0;
        for (int round = 1; round <= 20; round++) {
            int threads = 2 + random.nextInt(7);
            long delay = 30 + random.nextInt(250);
            String what = database + " round " + round + " (seed " + seed + ", " + threads + " threads, halt " + delay + " ms after the first commit)";
            Path r = tmp.resolve("round-" + round);
            Path a = r.resolve("rm-a");
            Path b = r.resolve("rm-b");
            Path acks = r.resolve("acks.txt");
            ChildJvm.Result work = ChildJvm.run(tmp.resolve("work-" + round + ".out"), 60, DatabaseLogCrashChild.class, "work", database,
                    prefix, a.toString(), b.toString(), String.valueOf(threads), String.valueOf(delay), acks.toString(), "r" + round + "-");
            assertEquals(CrashChild.HALT_STATUS, work.exitCode(), what + ": the coordinator must be halted, output:\n" + work.output());
            ChildJvm.Result rec = ChildJvm.run(tmp.resolve("recover-" + round + ".out"), 60, DatabaseLogCrashChild.class, "recover",
                    database, prefix, a.toString(), b.toString());
            assertEquals(0, rec.exitCode(), what + ": recovery must leave nothing pending, output:\n" + rec.output());
            committedTotal += verify(what, a, b, acks);
            inDoubtTotal += inDoubt(rec.output());
            assertEquals(0, LogDatabases.queryLong(ds, "SELECT COUNT(*) FROM " + prefix + "decision"),
                    what + ": every decision is completed after recovery");
        }
        System.out.printf("seed %d: %d transactions committed, %d branches in doubt at the halts%n", seed, committedTotal, inDoubtTotal);
        assertTrue(committedTotal > 0, "the load must have committed something");
        assertTrue(inDoubtTotal > 0, "the halts must catch transactions in flight, leaving prepared branches for recovery");
        assertEquals(0, LogDatabases.queryLong(ds, "SELECT COUNT(*) FROM " + prefix + "node WHERE name = '" + DatabaseLogCrashChild.NODE + "'"),
                "the last recovering start took the node row back and, closing with nothing in doubt, drained and deleted it");
    }

    static int verify(String what, Path dirA, Path dirB, Path acks) throws IOException {
        FileResourceManager a = new FileResourceManager("rm-a", dirA);
        FileResourceManager b = new FileResourceManager("rm-b", dirB);
        assertEquals(0, a.preparedBranches().size(), what + ": rm-a still holds prepared branches " + a.preparedBranches());
        assertEquals(0, b.preparedBranches().size(), what + ": rm-b still holds prepared branches " + b.preparedBranches());
        Set<String> onlyA = new TreeSet<>(a.committedWork());
        onlyA.removeAll(b.committedWork());
        Set<String> onlyB = new TreeSet<>(b.committedWork());
        onlyB.removeAll(a.committedWork());
        assertTrue(onlyA.isEmpty() && onlyB.isEmpty(), what + ": committed only on rm-a: " + onlyA + ", only on rm-b: " + onlyB);
        Set<String> lost = new HashSet<>();
        if (Files.exists(acks)) {
            for (String line : Files.readAllLines(acks)) {
                if (!line.isBlank() && !a.committedWork().contains(line.trim())) {
                    lost.add(line.trim());
                }
            }
        }
        assertTrue(lost.isEmpty(), what + ": acknowledged commits were lost: " + lost);
        return a.committedWork().size();
    }

    private static int inDoubt(String recoverOutput) {
        int at = recoverOutput.indexOf(CrashChild.IN_DOUBT);
        assertTrue(at >= 0, recoverOutput);
        return Integer.parseInt(recoverOutput.substring(at + CrashChild.IN_DOUBT.length()).lines().findFirst().orElseThrow().trim());
    }
}
