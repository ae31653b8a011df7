package dev.pledge.tm;

import dev.pledge.tm.log.Gtrid;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pledge.tm.log.LogRecords.BranchRecord;
import dev.pledge.tm.log.LogRecords.CommitRecord;
import dev.pledge.tm.log.LogRecords.HeuristicRecord;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import javax.transaction.xa.XAException;
import javax.transaction.xa.Xid;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * When recovery runs (build, interval, on demand), how it treats heuristic outcomes and
 * unreachable resources, what it reports, and that a pass running alongside live transactions
 * never completes a decision whose branch is still prepared. The tests of heuristic outcomes and of
 * an unreachable resource run on the recording journal alone and written through to the file log
 * and to the database log on PostgreSQL, MariaDB and H2.
 */
class RecoveryPassTest {
    Fixture f = fixture();
    @TempDir
    Path tmp;
    private TestLog testLog;

    /** Overridden by the subclass that runs these tests with parallel phases. */
    Fixture fixture() {
        return new Fixture("core-recovery", Duration.ofSeconds(60));
    }

    /** Whether {@link #fixture()} runs phases in parallel; overridden with it. */
    boolean parallelPhases() {
        return false;
    }

    /** For the tests that run on every log: the fixture's journal writes through to it ("memory": the recording journal alone). */
    void on(String log) {
        if (!log.equals("memory")) {
            f.close();
            testLog = TestLog.of(log, tmp.resolve("log"));
            f = Fixture.on(testLog, "core-recovery", parallelPhases());
        }
    }

    private final ExecutorService pool = Executors.newCachedThreadPool();

    @AfterEach
    void close() {
        pool.shutdownNow();
        f.close();
        if (testLog != null) {
            testLog.drop();
        }
    }

    /** A transaction decided to commit, its decision written to the journal (and the log under it). */
    private PledgeXid decided(long seq, String resource) {
        PledgeXid xid = TestXids.ours(f.svc.nodeName(), seq, 1);
        Gtrid g = TestXids.gtrid(xid);
        try {
            f.journal.logCommit(new CommitRecord(g, List.of(new BranchRecord(xid.bqualBytes(), resource)), 0));
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
        return xid;
    }

    private static void await(CountDownLatch latch) {
        try {
            assertTrue(latch.await(10, TimeUnit.SECONDS), "timed out waiting");
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    private static TransactionService.Builder builder(String node, RecordingJournal journal) {
        return TransactionService.builder().nodeName(node).logDirectory(Path.of("unused")).journal(c -> journal);
    }

    @Test
    void buildRunsAPassOverTheResourcesGivenToTheBuilder() {
        CallLog log = new CallLog();
        ScriptedXAResource db = new ScriptedXAResource("db", log);
        db.prepared.add(TestXids.ours("core-build", 1, 1));
        try (TransactionService svc = builder("core-build", new RecordingJournal(log)).recoveryInterval(Duration.ZERO)
                .recoveryResource("db", () -> db).build()) {
            assertEquals(1, log.count("db.rollback"), log.toString());
            assertTrue(db.prepared.isEmpty(), "the in-doubt branch without a decision is rolled back inside build()");
            assertTrue(db.closed, "the supplier's AutoCloseable is closed after the pass");
        }
    }

    @Test
    void registeringWhileTheServiceClosesNeverThrows() throws Exception {
        for (int round = 0; round < 200; round++) {
            CallLog log = new CallLog();
            TransactionService svc = builder("core-closing", new RecordingJournal(log)).recoveryInterval(Duration.ofMinutes(5)).build();
            CountDownLatch started = new CountDownLatch(1);
            java.util.concurrent.atomic.AtomicReference<Throwable> thrown = new java.util.concurrent.atomic.AtomicReference<>();
            Thread registrar = new Thread(() -> {
                started.countDown();
                try {
                    for (int i = 0; i < 50; i++) {
                        svc.recovery().register("db-" + i, () -> new ScriptedXAResource("db", log));
                    }
                } catch (Throwable t) {
                    thrown.set(t);
                }
            });
            registrar.start();
            await(started);
            svc.close();
            registrar.join();
            svc.recovery().register("after-close", () -> new ScriptedXAResource("db", log));
            assertNull(thrown.get(), () -> "round " + thrown.get());
        }
    }

    @Test
    void backgroundPassesRunEveryRecoveryInterval() throws Exception {
        CallLog log = new CallLog();
        ScriptedXAResource db = new ScriptedXAResource("db", log);
        AtomicInteger supplied = new AtomicInteger();
        try (TransactionService svc = builder("core-interval", new RecordingJournal(log)).recoveryInterval(Duration.ofMillis(200))
                .build()) {
            svc.recovery().register("db", () -> {
                supplied.incrementAndGet();
                return db;
            });
            for (int seq = 1; seq <= 2; seq++) {
                db.prepared.add(TestXids.ours("core-interval", seq, 1));
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (!db.prepared.isEmpty() && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
                assertTrue(db.prepared.isEmpty(), "a background pass must roll back branch " + seq + ": " + log);
            }
            int before = supplied.get();
            Thread.sleep(700);
            assertTrue(supplied.get() >= before + 2, "passes keep coming every 200 ms: " + before + " then " + supplied.get());
        }
    }

    @ParameterizedTest(name = "{0} log")
    @ValueSource(strings = {"memory", "file", "postgresql", "mariadb", "h2"})
    void aHeuristicRollbackOfACommittedBranchIsRecordedReportedAndForgotten(String log) {
        on(log);
        ScriptedXAResource db = f.resource("db");
        PledgeXid xid = decided(1, "db");
        db.prepared.add(xid);
        db.commitError = XAException.XA_HEURRB;
        f.svc.recovery().register("db", () -> db);
        RecoveryReport r = f.svc.recovery().runPass();
        assertEquals(1, r.heuristic(), r.toString());
        assertEquals(0, r.committed(), r.toString());
        assertTrue(r.problems().stream().anyMatch(p -> p.contains("XA_HEURRB") && p.contains("decision: commit")), r.toString());
        assertEquals(1, f.journal.heuristics.size());
        HeuristicRecord h = f.journal.heuristics.get(0);
        assertEquals(XAException.XA_HEURRB, h.xaCode());
        assertTrue(h.decisionWasCommit());
        assertEquals("db", h.branch().resourceName());
        assertTrue(f.log.indexOf("journal.heuristic(db)") < f.log.indexOf("db.forget"), "recorded, then forgotten: " + f.log);
        assertTrue(f.journal.pending.isEmpty() && f.journal.pendingCommits().isEmpty(),
                "the branch is resolved (heuristically): the decision is complete");
        assertEquals(1, f.svc.metrics().getHeuristic());
        RecoveryReport second = f.svc.recovery().runPass();
        assertEquals(0, second.heuristic(), "forgotten at the resource, so not reported twice: " + second);
        assertEquals(1, f.journal.heuristics().size(), "but kept in the log until an operator resolves it");
    }

    @ParameterizedTest(name = "{0} log")
    @ValueSource(strings = {"memory", "file", "postgresql", "mariadb", "h2"})
    void aHeuristicCommitOfARolledBackBranchIsRecordedToo(String log) {
        on(log);
        ScriptedXAResource db = f.resource("db");
        db.prepared.add(TestXids.ours(f.svc.nodeName(), 2, 1));
        db.rollbackError = XAException.XA_HEURCOM;
        f.svc.recovery().register("db", () -> db);
        RecoveryReport r = f.svc.recovery().runPass();
        assertEquals(1, r.heuristic(), r.toString());
        assertEquals(0, r.rolledBack(), r.toString());
        assertEquals(1, f.journal.heuristics.size());
        assertEquals(1, f.journal.heuristics().size(), "in the log");
        assertEquals(XAException.XA_HEURCOM, f.journal.heuristics.get(0).xaCode());
        assertTrue(!f.journal.heuristics.get(0).decisionWasCommit());
        assertEquals(1, f.log.count("db.forget"));
    }

    @ParameterizedTest(name = "{0} log")
    @ValueSource(strings = {"memory", "file", "postgresql", "mariadb", "h2"})
    void aHeuristicOutcomeThatMatchesTheDecisionIsForgottenAndCountedAsDone(String log) {
        on(log);
        ScriptedXAResource db = f.resource("db");
        db.prepared.add(decided(3, "db"));
        db.commitError = XAException.XA_HEURCOM;
        ScriptedXAResource other = f.resource("other");
        other.prepared.add(TestXids.ours(f.svc.nodeName(), 4, 1));
        other.rollbackError = XAException.XA_HEURRB;
        f.svc.recovery().register("db", () -> db);
        f.svc.recovery().register("other", () -> other);
        RecoveryReport r = f.svc.recovery().runPass();
        assertEquals(1, r.committed(), r.toString());
        assertEquals(1, r.rolledBack(), r.toString());
        assertEquals(0, r.heuristic(), r.toString());
        assertTrue(r.isClean(), r.toString());
        assertEquals(1, f.log.count("db.forget"));
        assertEquals(1, f.log.count("other.forget"));
        assertTrue(f.journal.heuristics.isEmpty() && f.journal.heuristics().isEmpty(), "nothing for an operator: " + f.journal.heuristics);
        assertTrue(f.journal.pending.isEmpty() && f.journal.pendingCommits().isEmpty());
    }

    @ParameterizedTest(name = "{0} log")
    @ValueSource(strings = {"memory", "file", "postgresql", "mariadb", "h2"})
    void aDecisionOnAnUnreachableResourceStaysPendingAndIsFinishedWhenItComesBack(String log) {
        on(log);
        ScriptedXAResource orders = f.resource("orders");
        PledgeXid xid = decided(5, "orders");
        orders.prepared.add(xid);
        AtomicInteger calls = new AtomicInteger();
        f.svc.recovery().register("orders", () -> {
            if (calls.incrementAndGet() == 1) {
                throw new IllegalStateException("connection refused");
            }
            return orders;
        });
        RecoveryReport first = f.svc.recovery().runPass();
        assertEquals(1, first.pending(), first.toString());
        assertTrue(first.problems().stream().anyMatch(p -> p.contains("orders (unreachable)")), first.toString());
        assertEquals(1, f.journal.pendingCommits().size(), "never dropped");
        RecoveryReport second = f.svc.recovery().runPass();
        assertEquals(1, second.committed(), second.toString());
        assertTrue(second.isClean(), second.toString());
        assertTrue(f.journal.pending.isEmpty() && f.journal.pendingCommits().isEmpty());
        assertTrue(orders.prepared.isEmpty());
    }

    @Test
    void theReportAppearsInTheLogOutput() {
        ScriptedXAResource db = f.resource("db");
        db.prepared.add(decided(6, "db"));
        db.prepared.add(TestXids.ours(f.svc.nodeName(), 7, 1));
        f.svc.recovery().register("db", () -> db);
        f.svc.recovery().register("down", () -> {
            throw new IllegalStateException("no route to host");
        });
        PrintStream original = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        RecoveryReport r;
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            r = f.svc.recovery().runPass();
        } finally {
            System.setErr(original);
        }
        String out = captured.toString(StandardCharsets.UTF_8);
        assertEquals(1, r.committed(), r.toString());
        assertEquals(1, r.rolledBack(), r.toString());
        assertTrue(out.contains(r.toString()), "the log must carry the report '" + r + "'; it has:\n" + out);
        assertTrue(r.toString().contains("1 committed, 1 rolled back, 0 heuristic, 0 pending"), r.toString());
    }

    /**
     * The pass scans resource a while the transaction is live (so it leaves a's branch alone), then
     * the transaction's phase two fails on a with XAER_RMFAIL and ends. The pass must not take a's
     * absence from its scan as proof that the branch committed.
     */
    @Test
    void aPassRacingAPhaseTwoThatLeavesABranchToRecoveryKeepsTheDecision() throws Exception {
        CountDownLatch passReachedB = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicReference<Future<RecoveryReport>> pass = new AtomicReference<>();
        ScriptedXAResource b = f.resource("b");
        ScriptedXAResource a = new ScriptedXAResource("a", f.log) {
            @Override
            public void commit(Xid xid, boolean onePhase) throws XAException {
                if (!onePhase && pass.get() == null) {
                    pass.set(pool.submit(() -> f.svc.recovery().runPass()));
                    await(passReachedB); // the pass has scanned a, seen the branch prepared and the transaction live
                    throw new XAException(XAException.XAER_RMFAIL);
                }
                super.commit(xid, onePhase);
            }
        };
        f.svc.recovery().register("a", () -> a);
        f.svc.recovery().register("b", () -> {
            passReachedB.countDown();
            await(release);
            return b;
        });
        f.tm.begin();
        f.tm.getTransaction().enlistResource(a);
        f.tm.getTransaction().enlistResource(b);
        f.tm.commit(); // the decision stands; a is left to recovery
        release.countDown();
        RecoveryReport first = pass.get().get(10, TimeUnit.SECONDS);
        assertEquals(1, a.prepared.size(), "a still holds its prepared branch");
        assertEquals(1, f.journal.pending.size(), "the decision must not be completed while a's branch is prepared: " + first);
        RecoveryReport second = f.svc.recovery().runPass();
        assertEquals(1, second.committed(), second.toString());
        assertTrue(a.prepared.isEmpty());
        assertTrue(f.journal.pending.isEmpty(), "completed once a committed");
    }

    /** The pass scans a before the transaction even prepared; the decision is made and a fails while the pass runs. */
    @Test
    void aDecisionMadeWhileAPassRunsIsNotCompletedByThatPass() throws Exception {
        CountDownLatch passReachedB = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        ScriptedXAResource a = f.resource("a");
        ScriptedXAResource b = f.resource("b");
        a.commitError = XAException.XAER_RMFAIL;
        a.commitFailures = 1;
        f.svc.recovery().register("a", () -> a);
        AtomicInteger bCalls = new AtomicInteger();
        f.svc.recovery().register("b", () -> {
            if (bCalls.incrementAndGet() == 1) {
                passReachedB.countDown();
                await(release);
            }
            return b;
        });
        Future<RecoveryReport> pass = pool.submit(() -> f.svc.recovery().runPass());
        await(passReachedB); // a is scanned: nothing prepared yet
        f.tm.begin();
        f.tm.getTransaction().enlistResource(a);
        f.tm.getTransaction().enlistResource(b);
        f.tm.commit();
        release.countDown();
        RecoveryReport first = pass.get(10, TimeUnit.SECONDS);
        assertEquals(1, a.prepared.size());
        assertEquals(1, f.journal.pending.size(), "a decision younger than the scans proves nothing: " + first);
        RecoveryReport second = f.svc.recovery().runPass();
        assertEquals(1, second.committed(), second.toString());
        assertTrue(f.journal.pending.isEmpty());
    }

    /** Between the last prepare and the commit record, a pass sees prepared branches without a decision: they are not its to roll back. */
    @Test
    void aPassBetweenPrepareAndTheDecisionLeavesTheTransactionAlone() throws Exception {
        AtomicReference<RecoveryReport> during = new AtomicReference<>();
        ScriptedXAResource a = f.resource("a");
        ScriptedXAResource b = new ScriptedXAResource("b", f.log) {
            @Override
            public int prepare(Xid xid) throws XAException {
                int vote = super.prepare(xid);
                try {
                    during.set(pool.submit(() -> f.svc.recovery().runPass()).get(10, TimeUnit.SECONDS));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
                return vote;
            }
        };
        f.svc.recovery().register("a", () -> a);
        f.svc.recovery().register("b", () -> b);
        f.tm.begin();
        f.tm.getTransaction().enlistResource(a);
        f.tm.getTransaction().enlistResource(b);
        f.tm.commit();
        assertEquals(0, during.get().rolledBack() + during.get().committed(), during.get().toString());
        assertEquals(0, f.log.count("a.rollback") + f.log.count("b.rollback"), f.log.toString());
        assertEquals(1, f.log.count("a.commit(false)"));
        assertEquals(1, f.log.count("b.commit(false)"));
        assertTrue(f.journal.pending.isEmpty());
    }
}
