package dev.pledge.tm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pledge.tm.log.db.LogDatabases;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Crash means crash, and a peer finishes the work: a child JVM coordinating 2PC over two
 * file-backed resource managers with its log in PostgreSQL is halted ({@code Runtime.halt}) under
 * load; a peer service (another node name, the same resources registered) takes the dead node over
 * once its lease has run out and resolves every branch it left, within the lease plus a few recovery
 * rounds. Every transaction then has one outcome on both resources, every acknowledged commit is
 * there, nothing stays prepared, and the dead node's rows are gone.
 */
class DatabaseLogTakeoverCrashTest {
    static final Duration ROUND = Duration.ofMillis(200);

    @TempDir
    Path tmp;
    private final String prefix = LogDatabases.uniquePrefix("takeovercrash");
    private DataSource ds;

    @AfterEach
    void drop() {
        if (ds != null) {
            LogDatabases.dropTables(ds, prefix);
        }
    }

    @Test
    void aPeerResolvesEveryBranchOfANodeHaltedUnderLoad() throws Exception {
        String database = "postgresql";
        ds = LogDatabases.of(database, null);
        LogDatabases.dropTables(ds, prefix);
        long seed = new Random().nextLong();
        Random random = new Random(seed);
        int inDoubtTotal = 0;
        for (int round = 1; round <= 3; round++) {
            int threads = 2 + random.nextInt(7);
            long delay = 30 + random.nextInt(250);
            String what = "round " + round + " (seed " + seed + ", " + threads + " threads, halt " + delay + " ms after the first commit)";
            Path r = tmp.resolve("round-" + round);
            Path dirA = r.resolve("rm-a");
            Path dirB = r.resolve("rm-b");
            ChildJvm.Result work = ChildJvm.run(tmp.resolve("work-" + round + ".out"), 60, DatabaseLogCrashChild.class, "work", database,
                    prefix, dirA.toString(), dirB.toString(), String.valueOf(threads), String.valueOf(delay),
                    r.resolve("acks.txt").toString(), "r" + round + "-");
            assertEquals(CrashChild.HALT_STATUS, work.exitCode(), what + ": the coordinator must be halted, output:\n" + work.output());
            FileResourceManager a = new FileResourceManager("rm-a", dirA);
            FileResourceManager b = new FileResourceManager("rm-b", dirB);
            inDoubtTotal += a.preparedBranches().size() + b.preparedBranches().size();
            long t0 = System.nanoTime();
            try (TransactionService peer = TransactionService.builder()
                    .nodeName("peer")
                    .databaseLog(ds)
                    .databaseLogTablePrefix(prefix)
                    .leaseDuration(DatabaseLogCrashChild.LEASE)
                    .recoveryInterval(ROUND)
                    .recoveryResource(a.name, a::connect)
                    .recoveryResource(b.name, b::connect)
                    .build()) {
                long deadline = t0 + Duration.ofSeconds(20).toNanos();
                while (nodeRows() > 0) {
                    assertTrue(System.nanoTime() < deadline, what + ": the dead node is not finished after 20 s; adoptions "
                            + peer.metrics().getAdoptions() + ", adopted in doubt " + peer.metrics().getAdoptedInDoubt());
                    Thread.sleep(20);
                }
                assertEquals(1, peer.metrics().getAdoptions(), what);
            }
            System.out.printf("%s: the peer finished the dead node %d ms after the halt was seen%n", what, (System.nanoTime() - t0) / 1_000_000);
            DatabaseLogCrashRecoveryTest.verify(what, dirA, dirB, r.resolve("acks.txt"));
            assertEquals(0, LogDatabases.queryLong(ds, "SELECT COUNT(*) FROM " + prefix + "decision"), what + ": no decision left");
            assertEquals(0, LogDatabases.queryLong(ds, "SELECT COUNT(*) FROM " + prefix + "node"), what
                    + ": no node row left (the dead one finished, the peer drained at close)");
        }
        System.out.printf("seed %d: %d branches in doubt at the halts%n", seed, inDoubtTotal);
        assertTrue(inDoubtTotal > 0, "the halts must catch transactions in flight, leaving prepared branches for the peer");
    }

    private long nodeRows() {
        return LogDatabases.queryLong(ds, "SELECT COUNT(*) FROM " + prefix + "node WHERE name = '" + DatabaseLogCrashChild.NODE + "'");
    }
}
