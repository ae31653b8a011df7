package dev.pledge.tm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pledge.tm.LogRecords.CommitRecord;
import jakarta.transaction.RollbackException;
import jakarta.transaction.Transaction;
import java.util.List;
import javax.transaction.xa.XAException;
import javax.transaction.xa.XAResource;
import javax.transaction.xa.Xid;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class TwoPhaseCommitTest {
    private final Fixture f = new Fixture();

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
        int lastPrepare = f.log.lastIndexStartingWith("c.prepare");
        int decision = f.log.indexOf("journal.commit");
        int firstCommit = f.log.firstIndexStartingWith("a.commit");
        assertTrue(f.log.indexOf("a.prepare") < lastPrepare && lastPrepare < decision && decision < firstCommit, f.log.toString());
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
        assertEquals(0, f.log.count("c.prepare"), "no prepare after a no vote");
        assertEquals(0, f.log.count("a.commit"));
        assertTrue(f.journal.commits.isEmpty(), "presumed abort: nothing logged");
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
        assertEquals(List.of("a.start(TMNOFLAGS)", "b.start(TMNOFLAGS)", "a.end(TMFAIL)", "b.end(TMFAIL)", "a.rollback", "b.rollback"),
                f.log.all());
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
