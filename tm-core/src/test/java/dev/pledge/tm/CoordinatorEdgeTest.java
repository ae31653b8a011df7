package dev.pledge.tm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.transaction.HeuristicMixedException;
import jakarta.transaction.RollbackException;
import jakarta.transaction.Status;
import jakarta.transaction.Synchronization;
import jakarta.transaction.Transaction;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.transaction.xa.XAException;
import javax.transaction.xa.XAResource;
import javax.transaction.xa.Xid;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Coordinator rules the issue names that the main behaviour tests leave out. */
class CoordinatorEdgeTest {
    final Fixture f = fixture();

    /** Overridden by the subclass that runs these tests with parallel phases. */
    Fixture fixture() {
        return new Fixture("core-edge", Duration.ofSeconds(60));
    }

    @AfterEach
    void close() {
        f.close();
    }

    /** One branch rolled back on its own, the other will be committed by recovery: that is mixed, not all rolled back. */
    @Test
    void heurrbOnOneBranchAndRmfailOnTheOtherIsHeuristicMixed() throws Exception {
        ScriptedXAResource a = f.resource("a");
        ScriptedXAResource b = f.resource("b");
        a.commitError = XAException.XA_HEURRB;
        b.commitError = XAException.XAER_RMFAIL;
        Transaction t = f.begin(a, b);
        HeuristicMixedException e = assertThrows(HeuristicMixedException.class, f.tm::commit);
        assertTrue(e.getMessage().contains("a=heuristic") && e.getMessage().contains("b=left to recovery"), e.getMessage());
        assertEquals(Status.STATUS_UNKNOWN, t.getStatus());
        assertEquals(1, f.journal.pending.size(), "b's branch keeps the decision open for recovery");
    }

    @Test
    void enlistingOrRegisteringOnceTwoPhaseCommitStartedThrowsIllegalState() throws Exception {
        List<Exception> seen = new ArrayList<>();
        ScriptedXAResource late = f.resource("late");
        ScriptedXAResource b = f.resource("b");
        ScriptedXAResource a = new ScriptedXAResource("a", f.log) {
            @Override
            public int prepare(Xid xid) throws XAException {
                Transaction t = f.current();
                try {
                    t.enlistResource(late);
                } catch (Exception e) {
                    seen.add(e);
                }
                try {
                    t.registerSynchronization(new Synchronization() {
                        @Override
                        public void beforeCompletion() {
                        }

                        @Override
                        public void afterCompletion(int status) {
                        }
                    });
                } catch (Exception e) {
                    seen.add(e);
                }
                return super.prepare(xid);
            }
        };
        f.begin(a, b);
        f.tm.commit();
        assertEquals(2, seen.size(), seen.toString());
        seen.forEach(e -> assertInstanceOf(IllegalStateException.class, e));
        assertEquals(0, late.started.size());
        assertEquals(1, f.log.count("a.commit(false)"));
    }

    @Test
    void enlistingOnATimedOutTransactionThrowsRollbackException() throws Exception {
        f.tm.setTransactionTimeout(1);
        Transaction t = f.begin(f.resource("a"));
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (t.getStatus() != Status.STATUS_ROLLEDBACK && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        RollbackException e = assertThrows(RollbackException.class, () -> t.enlistResource(f.resource("b")));
        assertTrue(e.getMessage().contains("timed out"), e.getMessage());
        f.tm.rollback();
    }

    @Test
    void aSuspendedBranchIsEndedBeforePrepare() throws Exception {
        ScriptedXAResource a = f.resource("a");
        ScriptedXAResource b = f.resource("b");
        Transaction t = f.begin(a, b);
        t.delistResource(a, XAResource.TMSUSPEND);
        f.tm.commit();
        int end = f.log.indexOf("a.end(TMSUCCESS)");
        assertTrue(f.log.indexOf("a.end(TMSUSPEND)") < end && end < f.log.indexOf("a.prepare"), f.log.toString());
        assertEquals(1, f.log.count("a.commit(false)"));
    }

    /** The deadline passes while commit is preparing: the reaper must not roll back a transaction commit has taken. */
    @Test
    void theReaperLeavesATransactionAloneOnceCommitHasTakenIt() throws Exception {
        ScriptedXAResource a = new ScriptedXAResource("a", f.log) {
            @Override
            public int prepare(Xid xid) throws XAException {
                try {
                    Thread.sleep(1500); // past the 1 s timeout, with the reaper running every 20 ms
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
                return super.prepare(xid);
            }
        };
        ScriptedXAResource b = f.resource("b");
        f.tm.setTransactionTimeout(1);
        Transaction t = f.begin(a, b);
        f.tm.commit();
        assertEquals(Status.STATUS_COMMITTED, t.getStatus());
        assertEquals(0, f.log.count("a.rollback") + f.log.count("b.rollback"), f.log.toString());
        assertEquals(1, f.log.count("b.commit(false)"));
        assertEquals(0, f.svc.metrics().getTimedOut());
    }

    /** Once the last resource committed, the outcome is decided: a log failure must not roll back the XA branches (nor the last resource). */
    @Test
    void aLogFailureAfterTheLastResourceCommittedStillCommitsTheXaBranches() throws Exception {
        ScriptedXAResource a = f.resource("a");
        ScriptedXAResource b = f.resource("b");
        ScriptedXAResource.Last lr = new ScriptedXAResource.Last("local", f.log);
        f.journal.failWrites = true;
        Transaction t = f.begin(a, lr, b);
        f.tm.commit();
        assertEquals(Status.STATUS_COMMITTED, t.getStatus());
        assertEquals(1, f.log.count("local.commit(true)"));
        assertEquals(1, f.log.count("a.commit(false)"), f.log.toString());
        assertEquals(1, f.log.count("b.commit(false)"), f.log.toString());
        assertEquals(0, f.log.count("a.rollback") + f.log.count("b.rollback") + f.log.count("local.rollback"), f.log.toString());
    }
}
