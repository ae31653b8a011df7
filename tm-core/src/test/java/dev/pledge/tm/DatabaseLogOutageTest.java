package dev.pledge.tm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pledge.tm.log.db.CuttingProxy;
import dev.pledge.tm.log.db.LogDatabases;
import jakarta.transaction.RollbackException;
import jakarta.transaction.TransactionManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The log database goes away in mid-run (every connection cut, new ones refused) and comes back:
 * transactions in flight commit or roll back, none splits, none stays prepared, and the service
 * carries on without a restart.
 */
class DatabaseLogOutageTest {
    private final String prefix = LogDatabases.uniquePrefix("outage");
    private DataSource direct;

    @AfterEach
    void drop() {
        if (direct != null) {
            LogDatabases.dropTables(direct, prefix);
        }
    }

    private record Outcome(String what, ScriptedXAResource a, ScriptedXAResource b, boolean committed, long at, long tookNanos) {
    }

    @ParameterizedTest
    @ValueSource(strings = {"postgresql", "mariadb"})
    void transactionsInFlightWhenTheLogDatabaseGoesAwayCommitOrRollBackWholeAndTheServiceCarriesOn(String database) throws Exception {
        direct = LogDatabases.of(database, null);
        LogDatabases.dropTables(direct, prefix);
        try (CuttingProxy proxy = new CuttingProxy(LogDatabases.serverPort(database));
             TransactionService svc = TransactionService.builder()
                     .nodeName("outage-svc")
                     .databaseLog(LogDatabases.throughPort(database, proxy.port()))
                     .databaseLogTablePrefix(prefix)
                     .recoveryInterval(Duration.ZERO)
                     .build()) {
            TransactionManager tm = svc.transactionManager();
            ConcurrentLinkedQueue<Outcome> outcomes = new ConcurrentLinkedQueue<>();
            ConcurrentLinkedQueue<Throwable> unexpected = new ConcurrentLinkedQueue<>();
            AtomicBoolean stop = new AtomicBoolean();
            AtomicInteger seq = new AtomicInteger();
            List<Thread> workers = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                Thread w = new Thread(() -> {
                    while (!stop.get()) {
                        CallLog calls = new CallLog();
                        ScriptedXAResource a = new ScriptedXAResource("rm-a", calls);
                        ScriptedXAResource b = new ScriptedXAResource("rm-b", calls);
                        String what = "tx " + seq.incrementAndGet();
                        try {
                            tm.begin();
                            tm.getTransaction().enlistResource(a);
                            tm.getTransaction().enlistResource(b);
                            long t0 = System.nanoTime();
                            try {
                                tm.commit();
                                outcomes.add(new Outcome(what, a, b, true, System.nanoTime(), System.nanoTime() - t0));
                            } catch (RollbackException e) {
                                outcomes.add(new Outcome(what, a, b, false, System.nanoTime(), System.nanoTime() - t0));
                            }
                        } catch (Throwable e) {
                            unexpected.add(e);
                            return;
                        }
                    }
                });
                workers.add(w);
                w.start();
            }
            Thread.sleep(700);
            long downAt = System.nanoTime(); // before the cut: a committer may fail and note its time before this thread runs again
            proxy.setDown(true);
            Thread.sleep(1000);
            proxy.setDown(false);
            long upAt = System.nanoTime();
            Thread.sleep(1000);
            stop.set(true);
            for (Thread w : workers) {
                w.join(60_000);
            }
            assertTrue(unexpected.isEmpty(), "commit() ends in a commit or a RollbackException: " + unexpected);
            int rolledBack = 0;
            int committedAfter = 0;
            long slowest = 0;
            for (Outcome o : outcomes) {
                long commits = o.a().log.count("rm-a.commit") + o.b().log.count("rm-b.commit");
                long rollbacks = o.a().log.count("rm-a.rollback") + o.b().log.count("rm-b.rollback");
                assertEquals(o.committed() ? "2 0" : "0 2", commits + " " + rollbacks, o.what() + ": both branches end the same way, as reported");
                assertTrue(o.a().prepared.isEmpty() && o.b().prepared.isEmpty(), o.what() + ": nothing left prepared");
                rolledBack += o.committed() ? 0 : 1;
                slowest = Math.max(slowest, o.tookNanos());
                committedAfter += o.committed() && o.at() > upAt ? 1 : 0;
                if (!o.committed()) {
                    assertTrue(o.at() > downAt, o.what() + " rolled back before the outage");
                }
            }
            // a decision whose COMMIT was cut waits for the log to answer; the others fail at once
            assertTrue(rolledBack > 0 || slowest > 500_000_000L, "the outage must have been felt: " + outcomes.size()
                    + " transactions, none rolled back, the slowest took " + slowest / 1_000_000 + " ms");
            assertTrue(committedAfter > 0, "the service carries on once the database is back, without a restart");
        }
    }

    /** docs/database-log.md: with the log database away, a new decision fails cleanly with the URL and the cause; health says so. */
    @Test
    void aDecisionWhileTheLogDatabaseIsAwayRollsBackNamingItsUrlAndHealthIsDownUntilABatchCommits() throws Exception {
        direct = LogDatabases.mariadb();
        LogDatabases.dropTables(direct, prefix);
        try (CuttingProxy proxy = new CuttingProxy(LogDatabases.serverPort("mariadb"));
             TransactionService svc = TransactionService.builder().nodeName("outage-url").databaseLog(LogDatabases.throughPort("mariadb",
                     proxy.port())).databaseLogTablePrefix(prefix).recoveryInterval(Duration.ZERO).build()) {
            TransactionManager tm = svc.transactionManager();
            String url = "127.0.0.1:" + proxy.port();
            proxy.setDown(true);
            CallLog calls = new CallLog();
            tm.begin();
            tm.getTransaction().enlistResource(new ScriptedXAResource("rm-a", calls));
            tm.getTransaction().enlistResource(new ScriptedXAResource("rm-b", calls));
            RollbackException e = assertThrows(RollbackException.class, tm::commit);
            assertTrue(e.getMessage().contains(url) && e.getCause() != null, "names the log's URL and has the cause: " + e);
            assertEquals(0, calls.count("rm-a.commit") + calls.count("rm-b.commit"), calls.toString());
            assertFalse(svc.health().isUp(), svc.health().summary());
            assertTrue(svc.health().logProblem().contains(url), svc.health().logProblem());

            proxy.setDown(false);
            tm.begin();
            tm.getTransaction().enlistResource(new ScriptedXAResource("rm-a", calls));
            tm.getTransaction().enlistResource(new ScriptedXAResource("rm-b", calls));
            tm.commit();
            assertTrue(svc.health().isUp(), "a batch that commits clears the problem: " + svc.health().summary());
        }
    }
    /** docs/database-log.md: recovery presumes nothing while it cannot confirm its epoch, and retries at its next pass. */
    @Test
    void recoveryRollsNothingBackWhileTheLogDatabaseIsAwayAndFinishesAtTheNextPassOnceItIsBack() throws Exception {
        direct = LogDatabases.postgres();
        LogDatabases.dropTables(direct, prefix);
        CallLog calls = new CallLog();
        ScriptedXAResource c = new ScriptedXAResource("rm-c", calls);
        try (CuttingProxy proxy = new CuttingProxy(LogDatabases.serverPort("postgresql"));
             TransactionService svc = TransactionService.builder().nodeName("outage-rec").databaseLog(LogDatabases.throughPort("postgresql",
                     proxy.port())).databaseLogTablePrefix(prefix).recoveryInterval(Duration.ZERO).recoveryResource("rm-c", () -> c).build()) {
            byte[] node = "outage-rec:".getBytes(java.nio.charset.StandardCharsets.UTF_8);
            byte[] gtrid = java.util.Arrays.copyOf(node, node.length + 16);
            gtrid[gtrid.length - 1] = 9; // a branch of this node with no decision in the log: presumed abort, once the log can say so
            c.prepared.add(new PledgeXid(gtrid, new byte[] {1}));
            proxy.setDown(true);
            RecoveryReport away = svc.recovery().runPass();
            assertEquals(0, away.rolledBack(), away.toString());
            assertEquals(1, c.prepared.size(), "nothing presumed while the log cannot confirm this node's epoch");
            assertEquals(0, calls.count("rm-c.rollback"), calls.toString());
            assertFalse(away.isClean(), "the pass leaves it for the next one: " + away);

            proxy.setDown(false);
            RecoveryReport back = svc.recovery().runPass();
            assertEquals(1, back.rolledBack(), back.toString());
            assertTrue(c.prepared.isEmpty());
        }
    }
}
