package dev.pledge.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 19's crash proof: the coordinator of MariaDB-to-PostgreSQL transfers keeps its log in a
 * third database (PostgreSQL database {@value LogDatabase#SHARED_DATABASE}, tables {@code pledge_cit_kill_*})
 * and is killed round after round, halted inside its JVM at one of seven points of 2PC or killed
 * with SIGKILL after a random delay. After each kill a new JVM with the same node name takes the
 * node row back (once the dead one's one-second lease has run out) and recovers: the money must be
 * conserved, neither server may hold a branch of the node, and no row of it may stay in the log.
 * {@code -Dpledge.itest.rounds} (the {@code soak} profile) sets the number of rounds; at least 20.
 */
class CoordinatorWithDatabaseLogKilledTest {
    static final String NODE = "cit-kill";
    static final String TABLES = "cit_kill";
    static final long LEASE_MILLIS = 1000;
    static final long INITIAL = 100_000;

    @TempDir
    Path dir;

    @Test
    void moneyIsConservedAndNothingStaysInDoubtAfterEveryKillOfACoordinatorWhoseLogIsInAThirdDatabase() throws Exception {
        Servers.requireMariaDb();
        Servers.requirePostgres();
        LogDatabase log = LogDatabase.onSharedPostgres("pledge_cit_kill_");
        recover(log, "before"); // finishes what an interrupted earlier run left prepared (it would lock the tables)
        Accounts mariaDb = TransferNode.mariaDbAccounts(TABLES).create(TransferNode.ACCOUNTS, INITIAL);
        Accounts postgres = TransferNode.postgresAccounts(TABLES).create(TransferNode.ACCOUNTS, INITIAL);
        long total = 2 * TransferNode.ACCOUNTS * INITIAL;

        long seed = System.nanoTime();
        Random rnd = new Random(seed);
        int rounds = ClusterTestBase.rounds();
        int inDoubtAtKills = 0;
        List<String> summary = new ArrayList<>();
        for (int round = 0; round < rounds; round++) {
            List<CoordinatorKilledDuringTwoPhaseCommitTest.Scenario> scenarios = CoordinatorKilledDuringTwoPhaseCommitTest.SCENARIOS;
            CoordinatorKilledDuringTwoPhaseCommitTest.Scenario s = scenarios.get(round < scenarios.size() ? round : rnd.nextInt(scenarios.size()));
            int nth = 1 + rnd.nextInt(20);
            int threads = 1 + rnd.nextInt(3);
            String what = "round " + round + " (" + s + ", #" + nth + ", " + threads + " threads; seed " + seed + ")";
            Path out = dir.resolve("work-" + round + ".txt");
            Process child = ChildJvm.start(out, TransferNode.class, "work", NODE, log.url(), log.prefix(), Long.toString(LEASE_MILLIS),
                    TABLES, Integer.toString(threads), s.target(), s.point().name(), Integer.toString(nth));
            try {
                if (s.target().equals("none")) {
                    ChildJvm.awaitLine(child, out, TransferNode.READY, 60);
                    Thread.sleep(100 + rnd.nextInt(1200));
                    child.destroyForcibly();
                }
                if (!child.waitFor(60, TimeUnit.SECONDS)) {
                    throw new AssertionError(what + " did not end within 60 s:\n" + Files.readString(out));
                }
            } finally {
                child.destroyForcibly();
            }
            if (!s.target().equals("none")) {
                assertEquals(TransferNode.HALT_STATUS, child.exitValue(), what + " should have halted at its fault:\n" + Files.readString(out));
            }
            int inDoubt = Servers.mariaDbXidsOf(NODE).size() + Servers.postgresXidsOf(NODE).size();
            inDoubtAtKills += inDoubt;
            recover(log, what);
            summary.add(what + ": " + inDoubt + " branches prepared at the kill");
            assertEquals(total, mariaDb.total() + postgres.total(), "money not conserved after " + what + "\n" + String.join("\n", summary));
            assertEquals(List.of(), Servers.mariaDbXidsOf(NODE), "XA RECOVER on MariaDB after " + what);
            assertEquals(List.of(), Servers.postgresXidsOf(NODE), "pg_prepared_xacts after " + what);
            assertEquals(0, log.rowsOf(NODE), "rows of " + NODE + " left in the log after " + what + " (the recovering JVM closed clean)");
        }
        System.out.println(String.join("\n", summary));
        assertTrue(inDoubtAtKills >= rounds / 2, "the kills should leave prepared branches for recovery to finish; only "
                + inDoubtAtKills + " were:\n" + String.join("\n", summary));
    }

    /** A new JVM with the node's name recovers; it must leave nothing in doubt. */
    private void recover(LogDatabase log, String what) throws Exception {
        Path out = Files.createTempFile(dir, "recover-", ".txt");
        Process child = ChildJvm.start(out, TransferNode.class, "recover", NODE, log.url(), log.prefix(), Long.toString(LEASE_MILLIS), TABLES);
        try {
            if (!child.waitFor(60, TimeUnit.SECONDS)) {
                throw new AssertionError("recovery after " + what + " did not end within 60 s:\n" + Files.readString(out));
            }
        } finally {
            child.destroyForcibly();
        }
        assertEquals(0, child.exitValue(), "recovery after " + what + " must leave nothing in doubt:\n" + Files.readString(out));
    }
}
