package dev.pledge.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pledge.tm.RecoveryReport;
import dev.pledge.tm.TransactionService;
import dev.pledge.xa.jdbc.TransactionalDataSource;
import jakarta.transaction.TransactionManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * MariaDB is shut down in phase two, after the commit decision and right before its branch
 * commits: the transaction's commit returns (the decision stands), recovery cannot reach MariaDB
 * while it is down, and the first pass after it is back commits the prepared branch. Nothing is
 * lost and the pool works again. MariaDB is restarted in a finally block whatever happens.
 */
class DatabaseStoppedDuringPhaseTwoTest {
    static final String NODE = "itest-restart";
    static final Accounts MARIADB = new Accounts("pledge_it_restart_m", Servers::mariaDbConnection);
    static final Accounts POSTGRES = new Accounts("pledge_it_restart_p", Servers::postgresConnection);

    @TempDir
    Path log;

    @Test
    void branchOnAServerStoppedInPhaseTwoCommitsOnTheFirstRecoveryPassAfterItRestarts() throws Exception {
        Runnable stopMariaDb = () -> {
            try {
                Servers.stopMariaDb();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        };
        try (TransactionService svc = TransactionService.builder().nodeName(NODE).logDirectory(log).recoveryInterval(Duration.ZERO)
                .build();
                TransactionalDataSource pg = TransactionalDataSource.builder(svc).name("P").xaDataSource(Servers.postgres()).build();
                TransactionalDataSource maria = TransactionalDataSource.builder(svc).name("M")
                        .xaDataSource(new FaultyXADataSource(Servers.mariaDb(), FaultyXADataSource.Point.BEFORE_COMMIT, 1, stopMariaDb))
                        .validateOnBorrow(true).build()) {
            svc.recovery().runPass(); // presumed abort of leftovers of an interrupted earlier run (they would lock the tables)
            MARIADB.create(2, 1_000);
            POSTGRES.create(2, 1_000);
            TransactionManager tm = svc.transactionManager();
            try {
                tm.begin();
                try (Connection p = pg.getConnection(); Connection m = maria.getConnection()) {
                    POSTGRES.add(p, 0, 300);
                    MARIADB.add(m, 0, -300);
                }
                tm.commit(); // PostgreSQL commits; MariaDB goes down before its commit: left to recovery

                assertEquals(1_300, POSTGRES.balance(0));
                RecoveryReport whileDown = svc.recovery().runPass();
                assertFalse(whileDown.isClean(), "recovery cannot be done while MariaDB is down: " + whileDown);
                assertTrue(String.join(" ", whileDown.problems()).contains("M"), whileDown.toString());
            } finally {
                Servers.startMariaDb();
            }
            assertEquals(1, Servers.mariaDbXidsOf(NODE).size(), "the prepared MariaDB branch must survive the restart");

            RecoveryReport afterRestart = svc.recovery().runPass();
            assertEquals(1, afterRestart.committed(), afterRestart.toString());
            assertTrue(afterRestart.isClean(), afterRestart.toString());
            assertEquals(700, MARIADB.balance(0));
            assertEquals(1_300, POSTGRES.balance(0));
            assertEquals(List.of(), Servers.mariaDbXidsOf(NODE));
            assertEquals(List.of(), Servers.postgresXidsOf(NODE));

            // The pool replaced the connection that died with the server.
            tm.begin();
            try (Connection p = pg.getConnection(); Connection m = maria.getConnection()) {
                POSTGRES.add(p, 1, 5);
                MARIADB.add(m, 1, -5);
            }
            tm.commit();
            assertEquals(995, MARIADB.balance(1));
            assertEquals(1_005, POSTGRES.balance(1));
        } finally {
            Servers.startMariaDb();
        }
    }
}
