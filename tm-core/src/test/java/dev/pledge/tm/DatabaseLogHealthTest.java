package dev.pledge.tm;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pledge.tm.log.db.CuttingProxy;
import dev.pledge.tm.log.db.LogDatabases;
import jakarta.transaction.RollbackException;
import jakarta.transaction.TransactionManager;
import java.time.Duration;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link TransactionService#health()} of a service whose log database goes away and comes back (PostgreSQL). */
class DatabaseLogHealthTest {
    private final String prefix = LogDatabases.uniquePrefix("health");
    private DataSource direct;

    @AfterEach
    void drop() {
        if (direct != null) {
            LogDatabases.dropTables(direct, prefix);
        }
    }

    private static void twoPhase(TransactionManager tm) throws Exception {
        CallLog calls = new CallLog();
        tm.begin();
        tm.getTransaction().enlistResource(new ScriptedXAResource("rm-a", calls));
        tm.getTransaction().enlistResource(new ScriptedXAResource("rm-b", calls));
        tm.commit();
    }

    @Test
    void anUnreachableLogDatabaseMakesHealthDownWithTheCauseUntilABatchCommitsAgain() throws Exception {
        direct = LogDatabases.of("postgresql", null);
        LogDatabases.dropTables(direct, prefix);
        try (CuttingProxy proxy = new CuttingProxy(LogDatabases.serverPort("postgresql"));
             TransactionService svc = TransactionService.builder().nodeName("health-db")
                     .databaseLog(LogDatabases.throughPort("postgresql", proxy.port())).databaseLogTablePrefix(prefix)
                     .recoveryInterval(Duration.ZERO).build()) {
            TransactionManager tm = svc.transactionManager();
            twoPhase(tm);
            assertTrue(svc.health().isUp());
            proxy.setDown(true);
            // past the window in which the kept connection sends a batch as one auto-committed statement, whose failure
            // has no known outcome and is read back once the database is there again (DatabaseJournalFaultTest)
            Thread.sleep(LogDatabases.ONE_TRIP_WINDOW_MILLIS);
            assertThrows(RollbackException.class, () -> twoPhase(tm), "nothing was written: the decision rolls back");
            Health down = svc.health();
            assertFalse(down.isUp());
            assertTrue(down.logProblem().contains("could not be written"), down.logProblem());
            assertFalse(down.fenced());
            assertFalse(svc.metrics().isLogUsable());
            proxy.setDown(false);
            twoPhase(tm);
            Health up = svc.health();
            assertTrue(up.isUp(), String.valueOf(up.logProblem()));
            assertNull(up.logProblem());
        }
    }
}
