package dev.pledge.tm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pledge.tm.log.db.CuttingProxy;
import dev.pledge.tm.log.db.LogDatabases;
import jakarta.transaction.RollbackException;
import jakarta.transaction.TransactionManager;
import java.time.Duration;
import java.util.Random;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A whole service whose log connection is cut during the COMMIT of a transaction's decision, in 20
 * rounds, both when the COMMIT reached the database and when it did not: the coordinator learns
 * which from the log and commits or rolls back every branch accordingly, never one way on one
 * branch and the other way on another.
 */
class DatabaseLogCutCommitTest {
    private final String prefix = LogDatabases.uniquePrefix("cutsvc");
    private DataSource direct;

    @AfterEach
    void drop() {
        if (direct != null) {
            LogDatabases.dropTables(direct, prefix);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"postgresql", "mariadb"})
    void aDecisionWhoseCommitIsCutEndsTheSameWayOnEveryBranch(String database) throws Exception {
        direct = LogDatabases.of(database, null);
        LogDatabases.dropTables(direct, prefix);
        long seed = new Random().nextLong();
        Random random = new Random(seed);
        CallLog calls = new CallLog();
        try (CuttingProxy proxy = new CuttingProxy(LogDatabases.serverPort(database));
             TransactionService svc = TransactionService.builder()
                     .nodeName("cut-svc")
                     .databaseLog(LogDatabases.throughPort(database, proxy.port()))
                     .databaseLogTablePrefix(prefix)
                     .databaseLogLease(Duration.ofMinutes(10)) // no lease renewal runs into a cut
                     .recoveryInterval(Duration.ZERO)
                     .build()) {
            TransactionManager tm = svc.transactionManager();
            int committed = 0;
            int rolledBack = 0;
            for (int round = 1; round <= 20; round++) {
                boolean reaches = round <= 2 ? round == 1 : random.nextBoolean();
                String what = database + " round " + round + " (seed " + seed + ", COMMIT " + (reaches ? "reached" : "did not reach") + " the server)";
                ScriptedXAResource a = new ScriptedXAResource("rm-a", calls);
                ScriptedXAResource b = new ScriptedXAResource("rm-b", calls);
                long aCommits = calls.count("rm-a.commit");
                long bCommits = calls.count("rm-b.commit");
                long aRollbacks = calls.count("rm-a.rollback");
                long bRollbacks = calls.count("rm-b.rollback");
                tm.begin();
                tm.getTransaction().enlistResource(a);
                tm.getTransaction().enlistResource(b);
                int cuts = proxy.cuts();
                proxy.arm(reaches ? CuttingProxy.Cut.AFTER_COMMIT_REACHED_SERVER : CuttingProxy.Cut.BEFORE_COMMIT_REACHED_SERVER);
                boolean ok;
                try {
                    tm.commit();
                    ok = true;
                } catch (RollbackException e) {
                    ok = false;
                    assertTrue(e.getMessage().contains("could not be written") && e.getMessage().contains("was not committed"), what + ": "
                            + e.getMessage());
                }
                assertEquals(cuts + 1, proxy.cuts(), what + ": the decision's COMMIT must have been cut");
                assertEquals(reaches, ok, what);
                long ac = calls.count("rm-a.commit") - aCommits;
                long bc = calls.count("rm-b.commit") - bCommits;
                long ar = calls.count("rm-a.rollback") - aRollbacks;
                long br = calls.count("rm-b.rollback") - bRollbacks;
                assertEquals(ok ? "1 1 0 0" : "0 0 1 1", ac + " " + bc + " " + ar + " " + br,
                        what + ": commits and rollbacks of rm-a, rm-b: no split");
                assertTrue(a.prepared.isEmpty() && b.prepared.isEmpty(), what + ": nothing left prepared");
                if (ok) {
                    committed++;
                } else {
                    rolledBack++;
                }
            }
            assertTrue(committed > 0 && rolledBack > 0, committed + " committed, " + rolledBack + " rolled back");
        }
    }
}
