package dev.pledge.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pledge.tm.RecoveryReport;
import dev.pledge.tm.TransactionService;
import dev.pledge.xa.jdbc.TransactionalDataSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The coordinator of MariaDB-to-PostgreSQL transfers is killed in the middle of two-phase commit,
 * round after round: halted inside the JVM at a random one of seven points of 2PC (on a random
 * transaction, with 1 to 3 threads), or killed from outside ({@code destroyForcibly}, i.e. SIGKILL)
 * after a random delay. After each kill a new transaction service on the same log directory and
 * node name recovers: the money must be conserved and neither server may hold a branch of ours.
 */
class CoordinatorKilledDuringTwoPhaseCommitTest {
    static final String NODE = "itest-crash";
    static final long INITIAL = 100_000;

    record Scenario(String target, FaultyXADataSource.Point point) {
        @Override
        public String toString() {
            return target.equals("none") ? "kill -9 after a random delay" : "halt " + point + " on " + target;
        }
    }

    static final List<Scenario> SCENARIOS = List.of(
            new Scenario("M", FaultyXADataSource.Point.BEFORE_PREPARE),   // nothing prepared: everything rolls back
            new Scenario("M", FaultyXADataSource.Point.AFTER_PREPARE),    // MariaDB prepared, PostgreSQL not
            new Scenario("P", FaultyXADataSource.Point.AFTER_PREPARE),    // both prepared, no decision: presumed abort
            new Scenario("M", FaultyXADataSource.Point.BEFORE_COMMIT),    // decision logged, nothing committed
            new Scenario("M", FaultyXADataSource.Point.AFTER_COMMIT),     // MariaDB committed, PostgreSQL prepared
            new Scenario("P", FaultyXADataSource.Point.BEFORE_COMMIT),    // same, seen from PostgreSQL
            new Scenario("P", FaultyXADataSource.Point.AFTER_COMMIT),     // both committed, completion not logged
            new Scenario("none", FaultyXADataSource.Point.BEFORE_PREPARE),
            new Scenario("none", FaultyXADataSource.Point.BEFORE_PREPARE));

    @TempDir
    Path dir;

    @Test
    void moneyIsConservedAndNoBranchStaysInDoubtAfterTwentySevenKillsInTwoPhaseCommit() throws Exception {
        Servers.requireMariaDb();
        Servers.requirePostgres();
        Path log = dir.resolve("log");
        recover(log); // rolls back anything an earlier, interrupted run of this test left prepared under this node name
        CrashingCoordinator.MARIADB.create(CrashingCoordinator.ACCOUNTS, INITIAL);
        CrashingCoordinator.POSTGRES.create(CrashingCoordinator.ACCOUNTS, INITIAL);
        long total = 2 * CrashingCoordinator.ACCOUNTS * INITIAL;

        long seed = System.nanoTime();
        Random rnd = new Random(seed);
        int rounds = 27;
        int recoveredBranches = 0;
        List<String> summary = new ArrayList<>();
        for (int round = 0; round < rounds; round++) {
            Scenario s = SCENARIOS.get(round % SCENARIOS.size());
            int nth = 1 + rnd.nextInt(25);
            int threads = 1 + rnd.nextInt(3);
            Path out = dir.resolve("round-" + round + ".txt");
            Process child = ChildJvm.start(out, CrashingCoordinator.class, log.toString(), NODE, s.target(), s.point().name(),
                    Integer.toString(nth), Integer.toString(threads));
            try {
                if (s.target().equals("none")) {
                    ChildJvm.awaitLine(child, out, "ready", 60);
                    Thread.sleep(200 + rnd.nextInt(1500));
                    child.destroyForcibly();
                }
                if (!child.waitFor(90, TimeUnit.SECONDS)) {
                    throw new AssertionError("round " + round + " (" + s + ") did not end within 90 s:\n" + Files.readString(out));
                }
            } finally {
                child.destroyForcibly();
            }
            String output = Files.readString(out);
            if (!s.target().equals("none")) {
                assertEquals(CrashingCoordinator.HALT_STATUS, child.exitValue(), "round " + round + " (" + s + ", transaction "
                        + nth + ") should have halted at its fault; seed " + seed + ", output:\n" + output);
            }
            RecoveryReport report = recover(log);
            recoveredBranches += report.committed() + report.rolledBack();
            summary.add("round " + round + " " + s + " #" + nth + " x" + threads + ": " + report);
            assertTrue(report.isClean(), "round " + round + " (" + s + "): recovery left work: " + report + "; seed " + seed);
            assertEquals(total, CrashingCoordinator.MARIADB.total() + CrashingCoordinator.POSTGRES.total(),
                    "money not conserved after round " + round + " (" + s + "); seed " + seed + "\n" + String.join("\n", summary));
            assertEquals(List.of(), Servers.mariaDbXidsOf(NODE), "XA RECOVER on MariaDB after round " + round + " (" + s + ")");
            assertEquals(List.of(), Servers.postgresXidsOf(NODE), "pg_prepared_xacts after round " + round + " (" + s + ")");
        }
        System.out.println(String.join("\n", summary));
        assertTrue(recoveredBranches >= rounds / 2, "the kills should leave prepared branches for recovery to finish; only "
                + recoveredBranches + " were:\n" + String.join("\n", summary));
    }

    /** A new service on the same log and node name, the same data source names, one recovery pass. */
    private static RecoveryReport recover(Path log) {
        try (TransactionService svc = TransactionService.builder().nodeName(NODE).logDirectory(log).recoveryInterval(Duration.ZERO)
                .build();
                TransactionalDataSource m = TransactionalDataSource.builder(svc).name("M").xaDataSource(Servers.mariaDb()).maxPoolSize(1)
                        .build();
                TransactionalDataSource p = TransactionalDataSource.builder(svc).name("P").xaDataSource(Servers.postgres()).maxPoolSize(1)
                        .build()) {
            assertFalse(m.joinable() || p.joinable());
            return svc.recovery().runPass();
        }
    }
}
