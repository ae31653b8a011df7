package dev.pledge.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pledge.tm.RecoveryReport;
import dev.pledge.tm.TransactionService;
import dev.pledge.xa.jdbc.TransactionalDataSource;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Issue 19's log-outage proof: MariaDB-to-PostgreSQL transfers run on four threads while the
 * PostgreSQL server that holds their log (a throwaway cluster of the test's own, so that it may be
 * crashed without disturbing anyone) is stopped with {@code -m immediate} and started again. The
 * transactions in flight commit or roll back whole (the money is conserved and nothing stays
 * prepared), the failures during the outage name the log, and the same service commits again
 * afterwards without a restart.
 */
class LogDatabaseRestartedMidRunTest {
    static final String NODE = "cit-restart";
    static final String TABLES = "cit_restart";
    static final long INITIAL = 100_000;

    @Test
    void transfersInFlightWhenTheLogDatabaseCrashesCommitOrRollBackWholeAndTheServiceCommitsAgainAfterItRestarts() throws Exception {
        Servers.requireMariaDb();
        Servers.requirePostgres();
        try (ThrowawayPostgres pg = ThrowawayPostgres.start()) {
            LogDatabase log = new LogDatabase(pg.url(), "pledge_cit_restart_");
            Accounts mariaDb = TransferNode.mariaDbAccounts(TABLES);
            Accounts postgres = TransferNode.postgresAccounts(TABLES);
            AtomicInteger committed = new AtomicInteger();
            AtomicInteger failed = new AtomicInteger();
            AtomicReference<Exception> outageFailure = new AtomicReference<>();
            AtomicBoolean outage = new AtomicBoolean();
            AtomicBoolean running = new AtomicBoolean(true);
            try (TransactionService svc = TransactionService.builder().nodeName(NODE).databaseLog(log.dataSource())
                    .databaseLogTablePrefix(log.prefix()).recoveryInterval(Duration.ofSeconds(1)).build();
                    TransactionalDataSource m = TransactionalDataSource.builder(svc).name("M").xaDataSource(Servers.mariaDb()).maxPoolSize(4)
                            .build();
                    TransactionalDataSource p = TransactionalDataSource.builder(svc).name("P").xaDataSource(Servers.postgres()).maxPoolSize(4)
                            .build()) {
                svc.recovery().runPass(); // finishes what an interrupted earlier run left prepared under this node name
                mariaDb.create(TransferNode.ACCOUNTS, INITIAL);
                postgres.create(TransferNode.ACCOUNTS, INITIAL);
                Transfers.Listener listener = new Transfers.Listener() {
                    @Override
                    public void committed() {
                        committed.incrementAndGet();
                    }

                    @Override
                    public void failed(Exception e) {
                        failed.incrementAndGet();
                        if (outage.get()) {
                            outageFailure.compareAndSet(null, e);
                        }
                    }
                };
                List<Thread> workers = new Transfers(svc.transactionManager(), m, mariaDb, p, postgres, TransferNode.ACCOUNTS)
                        .start(4, listener, running::get);
                try {
                    awaitCommits(committed, 20, "before the outage");
                    outage.set(true);
                    pg.stopServer();
                    Thread.sleep(2_000);
                    int duringOutage = committed.get();
                    pg.startServer();
                    outage.set(false);
                    awaitCommits(committed, duringOutage + 20, "after the log database came back (the service must heal by itself)");
                } finally {
                    running.set(false);
                    for (Thread w : workers) {
                        w.join(TimeUnit.SECONDS.toMillis(60));
                        assertTrue(!w.isAlive(), w.getName() + " still runs 60 s after the transfers were stopped");
                    }
                }
                RecoveryReport report = svc.recovery().runPass();
                assertTrue(report.isClean(), "a recovery pass after the outage left work: " + report);
            }
            System.out.printf("%d transfers committed, %d failed; first failure during the outage: %s%n", committed.get(), failed.get(),
                    outageFailure.get());
            assertNotNull(outageFailure.get(), "transfers during the outage must fail: their decisions cannot be logged");
            String hostAndPort = pg.url().replaceFirst("^jdbc:postgresql://([^/]+)/.*$", "$1");
            assertTrue(messages(outageFailure.get()).contains(hostAndPort),
                    "a failure during the outage must name the log database (" + pg.url() + "): " + messages(outageFailure.get()));
            assertEquals(2 * TransferNode.ACCOUNTS * INITIAL, mariaDb.total() + postgres.total(), "money created or destroyed: a transfer split");
            assertEquals(List.of(), Servers.mariaDbXidsOf(NODE), "XA RECOVER on MariaDB after the outage");
            assertEquals(List.of(), Servers.postgresXidsOf(NODE), "pg_prepared_xacts after the outage");
            // Decisions whose completions the service could not delete before it closed (its housekeeping connection died with the
            // server) are for transactions that completed: a restart of the node finds nothing of them prepared and deletes them.
            long leftAtClose = log.decisionsOf(NODE);
            try (TransactionService again = TransactionService.builder().nodeName(NODE).databaseLog(log.dataSource())
                    .databaseLogTablePrefix(log.prefix()).recoveryInterval(Duration.ZERO)
                    .recoveryResource("M", TransactionalDataSource.recoveryResource("M", Servers.mariaDb()))
                    .recoveryResource("P", TransactionalDataSource.recoveryResource("P", Servers.postgres())).build()) {
                assertTrue(again.recovery().runPass().isClean());
            }
            assertEquals(0, log.decisionsOf(NODE), "decisions left in the log after a restart of the node (" + leftAtClose
                    + " were left when the first service closed)");
            assertEquals(2 * TransferNode.ACCOUNTS * INITIAL, mariaDb.total() + postgres.total(), "money changed by the restart's recovery");
            mariaDb.drop();
            postgres.drop();
        }
    }

    private static void awaitCommits(AtomicInteger committed, int atLeast, String when) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (committed.get() < atLeast) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("only " + committed.get() + " transfers committed " + when + " within 60 s; expected " + atLeast);
            }
            Thread.sleep(20);
        }
    }

    private static String messages(Throwable t) {
        StringBuilder all = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) {
            all.append(c).append(" <- ");
        }
        return all.toString();
    }
}
