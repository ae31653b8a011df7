package dev.pledge.tm;

import dev.pledge.tm.log.Gtrid;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pledge.tm.log.LogRecords.BranchRecord;
import dev.pledge.tm.log.LogRecords.CommitRecord;
import java.nio.charset.StandardCharsets;
import java.util.List;
import javax.transaction.xa.XAException;
import javax.transaction.xa.Xid;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RecoverySortingTest {
    private final Fixture f = new Fixture();

    @AfterEach
    void close() {
        f.close();
    }

    private PledgeXid ours(long seq, int branch) {
        return TestXids.ours(f.svc.nodeName(), seq, branch);
    }

    private static Xid foreign(int format, byte[] gtrid) {
        return new Xid() {
            @Override
            public int getFormatId() {
                return format;
            }

            @Override
            public byte[] getGlobalTransactionId() {
                return gtrid;
            }

            @Override
            public byte[] getBranchQualifier() {
                return new byte[] {1};
            }
        };
    }

    @Test
    void recoveryCommitsDecidedBranchesRollsBackTheRestAndLeavesOthersAlone() throws Exception {
        ScriptedXAResource db = f.resource("db");
        PledgeXid decided = ours(1, 1);
        PledgeXid undecided = ours(2, 1);
        byte[] otherNode = "someone-else:0123456789abcdef".getBytes(StandardCharsets.UTF_8);
        Xid otherNodes = new PledgeXid(otherNode, PledgeXid.bqual(1));
        Xid otherFormat = foreign(4711, decided.getGlobalTransactionId());
        db.prepared.addAll(List.of(decided, undecided, otherNodes, otherFormat));
        f.journal.pending.put(new Gtrid(decided.getGlobalTransactionId()),
                new CommitRecord(new Gtrid(decided.getGlobalTransactionId()), List.of(new BranchRecord(PledgeXid.bqual(1), "db")), 0));

        f.svc.recovery().register("db", () -> db);
        RecoveryReport r = f.svc.recovery().runPass();
        assertEquals(1, r.committed(), r.toString());
        assertEquals(1, r.rolledBack(), r.toString());
        assertEquals(List.of(otherNodes, otherFormat), db.prepared, "foreign branches are left alone");
        assertTrue(f.journal.pending.isEmpty(), "the decision is completed once its branch is done");
        assertTrue(f.log.indexOf("db.recover(TMSTARTRSCAN)") < f.log.indexOf("db.recover(TMENDRSCAN)"), f.log.toString());
        assertTrue(db.closed, "an AutoCloseable recovery resource is closed after the pass");
    }

    @Test
    void aLiveTransactionOfThisProcessIsLeftAlone() throws Exception {
        ScriptedXAResource db = f.resource("db");
        f.tm.begin();
        f.tm.getTransaction().enlistResource(db);
        PledgeXid live = (PledgeXid) db.started.get(0);
        db.prepared.add(live);
        f.svc.recovery().register("db", () -> db);
        RecoveryReport r = f.svc.recovery().runPass();
        assertEquals(0, r.committed() + r.rolledBack(), r.toString());
        assertEquals(0, f.log.count("db.rollback"));
        f.tm.rollback();
    }

    @Test
    void notaMeansDoneAndRmfailIsRetriedNextPass() throws Exception {
        ScriptedXAResource db = f.resource("db");
        PledgeXid decided = ours(3, 1);
        db.prepared.add(decided);
        db.commitError = XAException.XAER_RMFAIL;
        db.commitFailures = 1;
        Gtrid g = new Gtrid(decided.getGlobalTransactionId());
        f.journal.pending.put(g, new CommitRecord(g, List.of(new BranchRecord(PledgeXid.bqual(1), "db")), 0));
        f.svc.recovery().register("db", () -> db);
        RecoveryReport first = f.svc.recovery().runPass();
        assertEquals(1, first.pending(), first.toString());
        assertEquals(1, f.journal.pending.size());
        RecoveryReport second = f.svc.recovery().runPass();
        assertEquals(1, second.committed(), second.toString());
        assertTrue(second.isClean(), second.toString());
        assertTrue(f.journal.pending.isEmpty());

        ScriptedXAResource gone = f.resource("gone");
        PledgeXid done = ours(4, 1);
        gone.prepared.add(done);
        gone.commitError = XAException.XAER_NOTA;
        Gtrid g2 = new Gtrid(done.getGlobalTransactionId());
        f.journal.pending.put(g2, new CommitRecord(g2, List.of(new BranchRecord(PledgeXid.bqual(1), "gone")), 0));
        f.svc.recovery().register("gone", () -> gone);
        RecoveryReport third = f.svc.recovery().runPass();
        assertEquals(1, third.pending(), third.toString());
        assertTrue(third.problems().stream().anyMatch(p -> p.contains("XAER_NOTA although the scan listed it")), third.toString());
        assertTrue(f.journal.pending.containsKey(g2), "XAER_NOTA for a listed branch proves nothing (MariaDB: still attached to its session)");
        gone.prepared.remove(done); // the session that held it committed it, or let it go and another pass committed it
        RecoveryReport fourth = f.svc.recovery().runPass();
        assertEquals(0, fourth.pending(), fourth.toString());
        assertTrue(f.journal.pending.isEmpty(), "a complete scan that no longer lists the branch shows it finished");
    }

    @Test
    void anUnreachableResourceIsReportedAndTheOthersAreStillRecovered() {
        ScriptedXAResource db = f.resource("db");
        PledgeXid undecided = ours(5, 1);
        db.prepared.add(undecided);
        f.svc.recovery().register("broken", () -> {
            throw new IllegalStateException("connection refused");
        });
        f.svc.recovery().register("db", () -> db);
        RecoveryReport r = f.svc.recovery().runPass();
        assertEquals(1, r.rolledBack(), r.toString());
        assertTrue(r.problems().stream().anyMatch(p -> p.contains("broken unreachable: connection refused")), r.toString());
        assertTrue(!r.isClean());
    }

    @Test
    void aDecisionWhoseResourceIsNotRegisteredStaysPendingAndIsReported() {
        PledgeXid decided = ours(6, 1);
        Gtrid g = new Gtrid(decided.getGlobalTransactionId());
        f.journal.pending.put(g, new CommitRecord(g, List.of(new BranchRecord(PledgeXid.bqual(1), "orders")), 0));
        RecoveryReport r = f.svc.recovery().runPass();
        assertEquals(1, r.pending(), r.toString());
        assertTrue(r.problems().get(0).contains("orders (not registered for recovery;"), r.toString());
        assertEquals(1, f.journal.pending.size(), "never dropped");
    }
}
