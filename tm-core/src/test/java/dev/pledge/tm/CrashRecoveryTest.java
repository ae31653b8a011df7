package dev.pledge.tm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pledge.tm.log.db.LogDatabases;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * Crash means crash: a child JVM coordinating real 2PC over two file-backed resource managers is
 * halted, and a new JVM on the same log and node name recovers. The four crash windows run on the
 * file log and on the database log on PostgreSQL, MariaDB and H2 (the random halts under load on the
 * database log are {@link DatabaseLogCrashRecoveryTest}'s). Every transaction must then have
 * one outcome on both resources, every acknowledged commit must be there, and nothing may stay
 * prepared or pending in the log.
 */
class CrashRecoveryTest {
    @TempDir
    Path tmp;
    private TestLog log;

    @AfterEach
    void drop() {
        if (log != null) {
            log.drop();
        }
    }

    @ParameterizedTest(name = "{0} log")
    @ValueSource(strings = {"file", "postgresql", "mariadb", "h2"})
    void crashAtFirstPrepareIsRolledBackByRecovery(String kind) throws Exception {
        Set<String> committed = crashAndRecover(kind, "prepare-first");
        assertFalse(committed.contains("tx-" + CrashChild.CRASH_AT), "the crashed transaction must roll back: " + committed);
    }

    @ParameterizedTest(name = "{0} log")
    @ValueSource(strings = {"file", "postgresql", "mariadb", "h2"})
    void crashAfterAllPreparesBeforeTheDecisionIsRolledBackByRecovery(String kind) throws Exception {
        Set<String> committed = crashAndRecover(kind, "after-prepares");
        assertFalse(committed.contains("tx-" + CrashChild.CRASH_AT), "no decision was logged, so presumed abort: " + committed);
    }

    @ParameterizedTest(name = "{0} log")
    @ValueSource(strings = {"file", "postgresql", "mariadb", "h2"})
    void crashAfterCommitDecisionIsCommittedByRecovery(String kind) throws Exception {
        Set<String> committed = crashAndRecover(kind, "after-decision");
        assertTrue(committed.contains("tx-" + CrashChild.CRASH_AT), "the logged decision must be carried out: " + committed);
    }

    @ParameterizedTest(name = "{0} log")
    @ValueSource(strings = {"file", "postgresql", "mariadb", "h2"})
    void crashAfterOneOfTwoCommitsIsCommittedByRecovery(String kind) throws Exception {
        Set<String> committed = crashAndRecover(kind, "after-one-commit");
        assertTrue(committed.contains("tx-" + CrashChild.CRASH_AT), "the second branch must be committed too: " + committed);
    }

    @Test
    void randomHaltsUnderLoadLeaveOneOutcomePerTransaction() throws Exception {
        Random random = new Random();
        long seed = random.nextLong();
        random.setSeed(seed);
        int rounds = 20;
        int committedTotal = 0;
        int inDoubtTotal = 0;
        for (int round = 1; round <= rounds; round++) {
            int threads = 4 + random.nextInt(13);
            long delay = 50 + random.nextInt(450); // counted from the first commit, so every halt lands under load
            String what = "round " + round + " (seed " + seed + ", " + threads + " threads, halt after " + delay + " ms)";
            // the same log through every crash; fresh resource managers per round keep the checks cheap
            Path r = tmp.resolve("round-" + round);
            Dirs d = new Dirs(tmp.resolve("log").toString(), r.resolve("rm-a"), r.resolve("rm-b"), r.resolve("acks.txt"));
            long w0 = System.nanoTime();
            ChildJvm.Result work = ChildJvm.run(tmp.resolve("work-" + round + ".out"), 120, CrashChild.class, "work",
                    d.log, d.a.toString(), d.b.toString(), String.valueOf(threads), "random:" + delay, d.acks.toString(), "r" + round + "-");
            assertEquals(CrashChild.HALT_STATUS, work.exitCode(), what + ": the coordinator must be halted, output:\n" + work.output());
            long t0 = System.nanoTime();
            committedTotal += recoverAndVerify(d, what).size();
            System.out.printf("%s: %d committed so far; work %d ms, recovery and checks %d ms%n", what, committedTotal,
                    (t0 - w0) / 1_000_000, (System.nanoTime() - t0) / 1_000_000);
            inDoubtTotal += inDoubt(tmp.resolve("recover.out"));
        }
        assertTrue(committedTotal > 0, "the load must have committed something");
        assertTrue(inDoubtTotal > 0, "the halts must catch transactions in flight, leaving prepared branches for recovery");
    }

    /** Runs transactions one by one until the chosen crash point halts the coordinator; recovers; verifies. */
    private Set<String> crashAndRecover(String kind, String crash) throws Exception {
        log = TestLog.of(kind, tmp.resolve("log"));
        Dirs d = new Dirs(log.spec(), tmp.resolve("rm-a"), tmp.resolve("rm-b"), tmp.resolve("acks.txt"));
        ChildJvm.Result work = ChildJvm.run(tmp.resolve("work.out"), 60, CrashChild.class, "work", d.log, d.a.toString(),
                d.b.toString(), "1", crash, d.acks.toString(), "");
        assertEquals(CrashChild.HALT_STATUS, work.exitCode(), "the coordinator must halt at " + crash + ", output:\n" + work.output());
        Set<String> committed = recoverAndVerify(d, kind + " log, " + crash);
        if (log.isDatabase()) {
            assertEquals(0, LogDatabases.queryLong(log.dataSource(), "SELECT COUNT(*) FROM " + log.prefix() + "node WHERE name = '"
                    + CrashChild.NODE + "'"), "the recovering coordinator took the halted one's node row back and, closing with nothing"
                    + " in doubt, deleted it");
            assertEquals(0, LogDatabases.queryLong(log.dataSource(), "SELECT COUNT(*) FROM " + log.prefix() + "decision"),
                    "no decision stays in the log after recovery");
        }
        for (int i = 1; i < CrashChild.CRASH_AT; i++) {
            assertTrue(committed.contains("tx-" + i), "tx-" + i + " committed before the crash: " + committed);
        }
        return committed;
    }

    private Set<String> recoverAndVerify(Dirs d, String what) throws Exception {
        ChildJvm.Result rec = ChildJvm.run(tmp.resolve("recover.out"), 60, CrashChild.class, "recover", d.log, d.a.toString(),
                d.b.toString());
        assertEquals(0, rec.exitCode(), what + ": recovery must leave nothing pending, output:\n" + rec.output());
        FileResourceManager a = new FileResourceManager("rm-a", d.a);
        FileResourceManager b = new FileResourceManager("rm-b", d.b);
        assertEquals(0, a.preparedBranches().size(), what + ": rm-a still holds prepared branches " + a.preparedBranches());
        assertEquals(0, b.preparedBranches().size(), what + ": rm-b still holds prepared branches " + b.preparedBranches());
        Set<String> committedA = a.committedWork();
        Set<String> committedB = b.committedWork();
        Set<String> onlyA = new TreeSet<>(committedA);
        onlyA.removeAll(committedB);
        Set<String> onlyB = new TreeSet<>(committedB);
        onlyB.removeAll(committedA);
        assertTrue(onlyA.isEmpty() && onlyB.isEmpty(), what + ": both resources must agree on every transaction; committed only on rm-a: "
                + onlyA + ", only on rm-b: " + onlyB);
        Set<String> acked = acked(d.acks);
        Set<String> lost = new TreeSet<>(acked);
        lost.removeAll(committedA);
        assertTrue(lost.isEmpty(), what + ": commits acknowledged to the application were lost: " + lost);
        return committedA;
    }

    private static int inDoubt(Path recoverOutput) throws IOException {
        String out = Files.readString(recoverOutput);
        int at = out.indexOf(CrashChild.IN_DOUBT);
        assertTrue(at >= 0, out);
        return Integer.parseInt(out.substring(at + CrashChild.IN_DOUBT.length()).lines().findFirst().orElseThrow().trim());
    }

    private static Set<String> acked(Path acks) throws IOException {
        Set<String> out = new HashSet<>();
        if (Files.exists(acks)) {
            for (String line : Files.readAllLines(acks)) {
                if (!line.isBlank()) {
                    out.add(line.trim());
                }
            }
        }
        return out;
    }

    /** LOG: a directory (the file log) or a {@link TestLog#spec}. */
    private record Dirs(String log, Path a, Path b, Path acks) {
    }
}
