package dev.pledge.tm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.transaction.HeuristicMixedException;
import jakarta.transaction.HeuristicRollbackException;
import jakarta.transaction.RollbackException;
import jakarta.transaction.SystemException;
import javax.transaction.xa.XAException;
import javax.transaction.xa.XAResource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class HeuristicAndLastResourceTest {
    final Fixture f = fixture();

    /** Overridden by the subclass that runs these tests with parallel phases. */
    Fixture fixture() {
        return new Fixture();
    }

    @AfterEach
    void close() {
        f.close();
    }

    private void begin(XAResource... resources) throws Exception {
        f.tm.begin();
        for (XAResource r : resources) {
            f.tm.getTransaction().enlistResource(r);
        }
    }

    @Test
    void heurcomOnCommitIsSuccessAndForgotten() throws Exception {
        ScriptedXAResource a = f.resource("a");
        ScriptedXAResource b = f.resource("b");
        a.commitError = XAException.XA_HEURCOM;
        begin(a, b);
        f.tm.commit();
        assertEquals(1, f.log.count("a.forget"));
        assertTrue(f.journal.heuristics.isEmpty(), "matches the decision: nothing for an operator");
        assertEquals(1, f.journal.completed.size());
    }

    @Test
    void heurrbOnEveryBranchIsHeuristicRollback() throws Exception {
        ScriptedXAResource a = f.resource("a");
        ScriptedXAResource b = f.resource("b");
        a.commitError = XAException.XA_HEURRB;
        b.commitError = XAException.XA_HEURRB;
        begin(a, b);
        assertThrows(HeuristicRollbackException.class, f.tm::commit);
        assertEquals(2, f.journal.heuristics.size());
        assertTrue(f.log.indexOf("journal.heuristic(a)") < f.log.indexOf("a.forget"), "recorded before forget: " + f.log);
        assertEquals(1, f.svc.metrics().getHeuristic());
    }

    @Test
    void heurrbOnOneOfTwoIsHeuristicMixed() throws Exception {
        ScriptedXAResource a = f.resource("a");
        ScriptedXAResource b = f.resource("b");
        b.commitError = XAException.XA_HEURRB;
        begin(a, b);
        HeuristicMixedException e = assertThrows(HeuristicMixedException.class, f.tm::commit);
        assertTrue(e.getMessage().contains("a=committed") && e.getMessage().contains("b=heuristic"), e.getMessage());
        assertEquals(1, f.journal.heuristics.size());
        assertEquals(XAException.XA_HEURRB, f.journal.heuristics.get(0).xaCode());
        assertEquals(1, f.log.count("b.forget"));
    }

    @Test
    void heurmixAndHeurhazAreHeuristicMixed() throws Exception {
        for (int code : new int[] {XAException.XA_HEURMIX, XAException.XA_HEURHAZ}) {
            ScriptedXAResource a = f.resource("a");
            ScriptedXAResource b = f.resource("b");
            a.commitError = code;
            begin(a, b);
            assertThrows(HeuristicMixedException.class, f.tm::commit);
        }
        assertEquals(2, f.journal.heuristics.size());
    }

    @Test
    void rmfailInPhaseTwoLeavesTheBranchToRecoveryAndCommitReturns() throws Exception {
        ScriptedXAResource a = f.resource("a");
        ScriptedXAResource b = f.resource("b");
        a.commitError = XAException.XAER_RMFAIL;
        a.commitFailures = 1;
        begin(a, b);
        f.tm.commit(); // the decision stands
        assertEquals(1, f.journal.pending.size(), "the decision is not completed");
        assertEquals(1, a.prepared.size(), "a still holds its prepared branch");

        f.svc.recovery().register("a", () -> a);
        f.svc.recovery().register("b", () -> b); // b finished in phase two: its scan proves it
        RecoveryReport report = f.svc.recovery().runPass();
        assertEquals(1, report.committed(), report.toString());
        assertEquals(0, report.pending(), report.toString());
        assertEquals(0, a.prepared.size());
        assertTrue(f.journal.pending.isEmpty(), "recovery completed the decision");
    }

    @Test
    void theLastResourceCommitsAfterEveryXaPrepareAndDecidesTheOutcome() throws Exception {
        ScriptedXAResource a = f.resource("a");
        ScriptedXAResource b = f.resource("b");
        ScriptedXAResource.Last lr = new ScriptedXAResource.Last("local", f.log);
        begin(a, lr, b);
        f.tm.commit();
        int lrCommit = f.log.indexOf("local.commit(true)");
        assertTrue(f.log.indexOf("a.prepare") < lrCommit && f.log.indexOf("b.prepare") < lrCommit, f.log.toString());
        assertTrue(lrCommit < f.log.indexOf("journal.commit") && f.log.indexOf("journal.commit") < f.log.indexOf("a.commit(false)"),
                f.log.toString());
        assertEquals(0, f.log.count("local.prepare"));
    }

    @Test
    void aFailingLastResourceRollsBackTheXaBranches() throws Exception {
        ScriptedXAResource a = f.resource("a");
        ScriptedXAResource b = f.resource("b");
        ScriptedXAResource.Last lr = new ScriptedXAResource.Last("local", f.log);
        lr.commitError = XAException.XA_RBROLLBACK;
        begin(a, b, lr);
        assertThrows(RollbackException.class, f.tm::commit);
        assertEquals(1, f.log.count("a.rollback"));
        assertEquals(1, f.log.count("b.rollback"));
        assertTrue(f.journal.commits.isEmpty());
    }

    @Test
    void aSecondLastResourceIsRefusedClearly() throws Exception {
        begin(new ScriptedXAResource.Last("one", f.log));
        SystemException e = assertThrows(SystemException.class,
                () -> f.tm.getTransaction().enlistResource(new ScriptedXAResource.Last("two", f.log)));
        assertTrue(e.getMessage().contains("already has a last resource (one)"), e.getMessage());
        f.tm.rollback();
    }
}
