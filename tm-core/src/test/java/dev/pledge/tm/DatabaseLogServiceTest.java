package dev.pledge.tm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pledge.tm.log.Gtrid;
import dev.pledge.tm.log.JournalException;
import dev.pledge.tm.log.LogRecords.CommitRecord;
import dev.pledge.tm.log.db.LogDatabases;
import jakarta.transaction.RollbackException;
import jakarta.transaction.SystemException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import javax.sql.DataSource;
import javax.transaction.xa.XAException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A whole service on the database log, on each database: 2PC, reopen and recovery, fencing, one service per node name. */
class DatabaseLogServiceTest {
    @TempDir
    Path tmp;
    private final String prefix = LogDatabases.uniquePrefix("svc");
    private DataSource ds;
    private final CallLog calls = new CallLog();

    @AfterEach
    void drop() {
        if (ds != null) {
            LogDatabases.dropTables(ds, prefix);
        }
    }

    private TransactionService service(String database, String node) {
        if (ds == null) {
            ds = LogDatabases.of(database, tmp);
            LogDatabases.dropTables(ds, prefix);
        }
        return TransactionService.builder()
                .nodeName(node)
                .databaseLog(ds)
                .databaseLogTablePrefix(prefix)
                .recoveryInterval(Duration.ZERO)
                .build();
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql", "mariadb"})
    void twoPhaseCommitLogsItsDecisionAndAfterReopenRecoveryFinishesWhatWasLeft(String database) throws Exception {
        ScriptedXAResource a = new ScriptedXAResource("rm-a", calls);
        ScriptedXAResource b = new ScriptedXAResource("rm-b", calls);
        Gtrid left;
        try (TransactionService svc = service(database, "shop-1")) {
            svc.transactionManager().begin();
            svc.transactionManager().getTransaction().enlistResource(a);
            svc.transactionManager().getTransaction().enlistResource(b);
            svc.transactionManager().commit();
            assertEquals(1, svc.journal().forceCount(), "one database commit for the decision");
            assertTrue(svc.journal().pendingCommits().isEmpty(), "a finished transaction's decision is completed");

            b.commitError = XAException.XAER_RMFAIL; // rm-b is unreachable in phase two: the branch is left to recovery
            svc.transactionManager().begin();
            svc.transactionManager().getTransaction().enlistResource(a);
            svc.transactionManager().getTransaction().enlistResource(b);
            svc.transactionManager().commit();
            List<CommitRecord> pending = List.copyOf(svc.journal().pendingCommits());
            assertEquals(1, pending.size(), "the decision stays until every branch is committed");
            left = pending.get(0).gtrid();
            assertEquals(1, b.prepared.size());
        }
        b.commitError = 0;
        try (TransactionService svc = service(database, "shop-1")) {
            assertEquals(List.of(left), svc.journal().pendingCommits().stream().map(CommitRecord::gtrid).toList(),
                    "the reopened log holds the decision");
            svc.recovery().register("rm-a", () -> a);
            svc.recovery().register("rm-b", () -> b);
            RecoveryReport report = svc.recovery().runPass();
            assertEquals(1, report.committed(), report.toString());
            assertTrue(b.prepared.isEmpty(), "recovery committed the branch the decision names");
            assertTrue(svc.journal().pendingCommits().isEmpty());
        }
        try (TransactionService svc = service(database, "shop-1")) {
            assertTrue(svc.journal().pendingCommits().isEmpty(), "the completion reached the database");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql", "mariadb"})
    void aFencedServiceRollsBackItsCommitsSaysWhyAndBeginsNoNewTransaction(String database) throws Exception {
        try (TransactionService svc = service(database, "shop-1")) {
            LogDatabases.update(ds, "UPDATE " + prefix + "node SET epoch = epoch + 1 WHERE name = 'shop-1'");
            ScriptedXAResource a = new ScriptedXAResource("rm-a", calls);
            ScriptedXAResource b = new ScriptedXAResource("rm-b", calls);
            svc.transactionManager().begin();
            svc.transactionManager().getTransaction().enlistResource(a);
            svc.transactionManager().getTransaction().enlistResource(b);
            RollbackException e = assertThrows(RollbackException.class, () -> svc.transactionManager().commit());
            assertTrue(e.getMessage().contains("fenced") && e.getMessage().contains("shop-1") && e.getMessage().contains("since"),
                    e.getMessage());
            assertTrue(a.prepared.isEmpty() && b.prepared.isEmpty(), "both prepared branches rolled back");
            assertEquals(0, calls.count("rm-a.commit") + calls.count("rm-b.commit"), "nothing it prepared is committed: " + calls);
            assertEquals(0, LogDatabases.queryLong(ds, "SELECT COUNT(*) FROM " + prefix + "decision"));

            SystemException refused = assertThrows(SystemException.class, () -> svc.transactionManager().begin());
            assertTrue(refused.getMessage().contains("No new transaction") && refused.getMessage().contains("fenced"), refused.getMessage());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void aServiceWhoseNodeWasTakenOverPresumesNoAbortInRecovery(String database) throws Exception {
        try (TransactionService svc = service(database, "shop-1")) {
            ScriptedXAResource c = new ScriptedXAResource("rm-c", calls);
            byte[] node = "shop-1:".getBytes(java.nio.charset.StandardCharsets.UTF_8);
            byte[] gtrid = java.util.Arrays.copyOf(node, node.length + 16);
            gtrid[gtrid.length - 1] = 7; // a transaction of node shop-1 that this service does not know: the new owner's
            c.prepared.add(new PledgeXid(gtrid, new byte[] {1}));
            // another service took the node over and may have logged that transaction's decision: this one has not written since
            LogDatabases.update(ds, "UPDATE " + prefix + "node SET epoch = epoch + 1 WHERE name = 'shop-1'");
            svc.recovery().register("rm-c", () -> c);
            RecoveryReport report = svc.recovery().runPass();
            assertEquals(0, report.rolledBack(), report.toString());
            assertEquals(1, c.prepared.size(), "the branch stays prepared: its decision may be in the log under the new epoch");
            assertEquals(0, calls.count("rm-c.rollback"), calls.toString());
        }
    }

    @Test
    void aSecondServiceWithTheSameNodeNameFailsAtBuild() {
        try (TransactionService first = service("h2", "shop-1")) {
            // on this host the node-name claim refuses it first; on another host (another claim directory) the node row does
            IllegalStateException sameHost = assertThrows(IllegalStateException.class, () -> service("h2", "shop-1"));
            assertTrue(sameHost.getMessage().contains("'shop-1' is already in use by another live transaction service"), sameHost.getMessage());
            JournalException otherHost = assertThrows(JournalException.class, () -> TransactionService.builder().nodeName("shop-1")
                    .databaseLog(ds).databaseLogTablePrefix(prefix).recoveryInterval(Duration.ZERO)
                    .nodeLockDirectory(tmp.resolve("another-host")).build());
            assertTrue(otherHost.getMessage().contains("'shop-1' is held by a live Pledge service"), otherHost.getMessage());
        }
    }

    @Test
    void logDirectoryAndDatabaseLogTogetherAreRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TransactionService.builder()
                .nodeName("n").logDirectory(tmp.resolve("log")).databaseLog(LogDatabases.h2(tmp)).build());
        assertTrue(e.getMessage().contains("logDirectory") && e.getMessage().contains("databaseLog") && e.getMessage().contains("only one"),
                e.getMessage());
    }
}
