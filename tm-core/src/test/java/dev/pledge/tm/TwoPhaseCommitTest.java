package dev.pledge.tm;

import dev.pledge.tm.log.Gtrid;
import dev.pledge.tm.log.LogRecords;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pledge.tm.log.LogRecords.CommitRecord;
import jakarta.transaction.RollbackException;
import jakarta.transaction.Transaction;
import java.util.List;
import java.util.Set;
import javax.transaction.xa.XAException;
import javax.transaction.xa.XAResource;
import javax.transaction.xa.Xid;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class TwoPhaseCommitTest {
    final Fixture f = fixture();

    /** Overridden by the subclass that runs these tests with parallel phases. */
    Fixture fixture() {
        return new Fixture();
    }

    @AfterEach
    void close() {
        f.close();
    }

    @Test
    void oneGtridPerTransactionAndOneBqualPerBranch() throws Exception {
        ScriptedXAResource a = f.resource("a");
        ScriptedXAResource b = f.resource("b");
        f.begin(a, b);
        f.tm.commit();
        Xid xa = a.started.get(0);
        Xid xb = b.started.get(0);
        assertEquals(PledgeXid.FORMAT_ID, xa.getFormatId());
        assertArrayEquals(xa.getGlobalTransactionId(), xb.getGlobalTransactionId());
        assertNotEquals(new Gtrid(xa.getBranchQualifier()), new Gtrid(xb.getBranchQualifier()));
        f.begin(a);
        f.tm.commit();
        assertNotEquals(new Gtrid(xa.getGlobalTransactionId()), new Gtrid(a.started.get(1).getGlobalTransactionId()));
    }

    @Test
    void allPreparesCompleteBeforeAnyCommitAndTheDecisionIsLoggedBetween() throws Exception {
        ScriptedXAResource a = f.resource("a");
        ScriptedXAResource b = f.resource("b");
        ScriptedXAResource c = f.resource("c");
        f.begin(a, b, c);
        f.tm.commit();
        int decision = f.log.indexOf("journal.commit");
        for (String r : List.of("a", "b", "c")) {
            assertTrue(f.log.indexOf(r + ".prepare") < decision && decision < f.log.indexOf(r + ".commit(false)"), f.log.toString());
        }
        assertTrue(f.log.indexOf("journal.completed") > f.log.lastIndexStartingWith("c.commit"), f.log.toString());
        CommitRecord r = f.journal.commits.get(0);
        assertEquals(List.of("a", "b", "c"), r.branches().stream().map(LogRecords.BranchRecord::resourceName).toList());
        assertArrayEquals(a.started.get(0).getBranchQualifier(), r.branches().get(0).bqual());
        assertArrayEquals(c.started.get(0).getBranchQualifier(), r.branches().get(2).bqual());
        assertEquals(1, f.svc.metrics().getCommitted());
    }

    @Test
    void aRollbackVoteRollsBackEveryBranch() throws Exception {
        ScriptedXAResource a = f.resource("a");
        ScriptedXAResource b = f.resource("b");
        ScriptedXAResource c = f.resource("c");
        b.prepareError = XAException.XA_RBINTEGRITY;
        f.begin(a, b, c);
        RollbackException e = assertThrows(RollbackException.class, f.tm::commit);
        assertTrue(e.getMessage().contains("b voted no"), e.getMessage());
        assertEquals(1, f.log.count("a.rollback"));
        assertEquals(1, f.log.count("c.rollback"));
        assertEquals(0, f.log.count("a.commit") + f.log.count("c.commit"));
        assertTrue(f.journal.commits.isEmpty(), "presumed abort: nothing logged");
    }

    @Test
    void sequentialPhasesAskNoBranchAfterANoVote() throws Exception {
        ScriptedXAResource a = f.resource("a");
        ScriptedXAResource b = f.resource("b");
        ScriptedXAResource c = f.resource("c");
        b.prepareError = XAException.XA_RBINTEGRITY;
        f.begin(a, b, c);
        assertThrows(RollbackException.class, f.tm::commit);
        assertEquals(0, f.log.count("c.prepare"), "no prepare after a no vote");
        assertEquals(1, f.log.count("c.rollback"));
    }

    @Test
    void anXaErrorVoteRollsBackToo() throws Exception {
        ScriptedXAResource a = f.resource("a");
        ScriptedXAResource b = f.resource("b");
        b.prepareError = XAException.XAER_RMERR;
        f.begin(a, b);
        assertThrows(RollbackException.class, f.tm::commit);
        assertEquals(1, f.log.count("a.rollback"));
        assertEquals(1, f.log.count("b.rollback"));
        assertTrue(f.journal.commits.isEmpty());
    }

    @Test
    void oneBranchCommitsInOnePhaseAndLogsNothing() throws Exception {
        ScriptedXAResource a = f.resource("a");
        f.begin(a);
        f.tm.commit();
        assertEquals(List.of("a.start(TMNOFLAGS)", "a.end(TMSUCCESS)", "a.commit(true)"), f.log.all());
        assertTrue(f.journal.commits.isEmpty());
    }

    @Test
    void readOnlyVotersAreNotCommitted() throws Exception {
        ScriptedXAResource a = f.resource("a");
        ScriptedXAResource b = f.resource("b");
        ScriptedXAResource c = f.resource("c");
        b.vote = XAResource.XA_RDONLY;
        f.begin(a, b, c);
        f.tm.commit();
        assertEquals(0, f.log.count("b.commit"));
        assertEquals(List.of("a", "c"), f.journal.commits.get(0).branches().stream().map(LogRecords.BranchRecord::resourceName).toList());
    }

    @Test
    void allReadOnlyLogsNothingAndCommitsNothing() throws Exception {
        ScriptedXAResource a = f.resource("a");
        ScriptedXAResource b = f.resource("b");
        a.vote = XAResource.XA_RDONLY;
        b.vote = XAResource.XA_RDONLY;
        f.begin(a, b);
        f.tm.commit();
        assertEquals(0, f.log.count("a.commit") + f.log.count("b.commit"));
        assertTrue(f.journal.commits.isEmpty());
    }

    @Test
    void rollbackLogsNothing() throws Exception {
        ScriptedXAResource a = f.resource("a");
        ScriptedXAResource b = f.resource("b");
        f.begin(a, b);
        f.tm.rollback();
        List<String> calls = f.log.all();
        assertEquals(List.of("a.start(TMNOFLAGS)", "b.start(TMNOFLAGS)", "a.end(TMFAIL)", "b.end(TMFAIL)"), calls.subList(0, 4));
        assertEquals(Set.of("a.rollback", "b.rollback"), Set.copyOf(calls.subList(4, calls.size())));
        assertEquals(6, calls.size(), calls.toString());
        assertTrue(f.journal.commits.isEmpty());
        assertEquals(1, f.svc.metrics().getRolledBack());
    }

    @Test
    void aLogFailureRollsBackInsteadOfCommitting() throws Exception {
        ScriptedXAResource a = f.resource("a");
        ScriptedXAResource b = f.resource("b");
        f.journal.failWrites = true;
        f.begin(a, b);
        RollbackException e = assertThrows(RollbackException.class, f.tm::commit);
        assertTrue(e.getMessage().contains("could not be written to the recovery log"), e.getMessage());
        assertEquals(0, f.log.count("a.commit"));
        assertEquals(1, f.log.count("a.rollback"));
        assertEquals(1, f.log.count("b.rollback"));
    }
}
