package dev.pledge.tm;

import dev.pledge.tm.log.Gtrid;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pledge.tm.log.LogRecords.BranchRecord;
import dev.pledge.tm.log.LogRecords.CommitRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import javax.transaction.xa.XAException;
import javax.transaction.xa.Xid;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * When a pass may take a logged decision as finished: only from scans that could have listed its
 * branches. Decisions of another node name, partial scans, and branches logged under a name no
 * resource is registered under.
 */
class RecoveryCompletionTest {
    private final Fixture f = new Fixture();

    @AfterEach
    void close() {
        f.close();
    }

    private PledgeXid decided(String node, long seq, String... resources) {
        Gtrid g = TestXids.gtrid(TestXids.ours(node, seq, 1));
        List<BranchRecord> branches = new ArrayList<>();
        for (int i = 0; i < resources.length; i++) {
            branches.add(new BranchRecord(PledgeXid.bqual(i + 1), resources[i]));
        }
        f.journal.pending.put(g, new CommitRecord(g, branches, 0));
        return TestXids.ours(node, seq, 1);
    }

    @Test
    void aDecisionOfAnotherNodeNameIsReportedAndNeverCompletedByAPassThatCouldNotListItsBranches() {
        ScriptedXAResource db = f.resource("db-b");
        PledgeXid other = decided("old-name", 1, "db-a", "db-b");
        db.prepared.add(new PledgeXid(other.getGlobalTransactionId(), PledgeXid.bqual(2)));
        f.svc.recovery().register("db-a", () -> f.resource("db-a"));
        f.svc.recovery().register("db-b", () -> db);
        for (int pass = 1; pass <= 2; pass++) {
            RecoveryReport r = f.svc.recovery().runPass();
            assertEquals(1, f.journal.pending.size(), "pass " + pass + " must keep old-name's decision: " + r);
            assertFalse(r.isClean(), r.toString());
            assertTrue(r.problems().stream().anyMatch(p -> p.contains("'old-name'") && p.contains("renamedFrom(\"old-name\")")), r.toString());
            assertEquals(0, r.committed() + r.rolledBack(), "old-name's branch is not this node's to touch: " + r);
        }
        assertEquals(1, db.prepared.size(), "db-b's branch stays prepared for old-name");
    }

    @Test
    void xidsThatOnlyTheEndOfTheScanReturnsAreRecoveredAndKeepTheirDecision() {
        PledgeXid undecided = TestXids.ours(f.svc.nodeName(), 2, 1);
        PledgeXid decided = decided(f.svc.nodeName(), 3, "db");
        ScriptedXAResource db = new ScriptedXAResource("db", f.log) {
            @Override
            public Xid[] recover(int flag) {
                log.add(name + ".recover(" + flags(flag) + ")");
                return flag == TMENDRSCAN ? prepared.toArray(new Xid[0]) : new Xid[0];
            }
        };
        db.prepared.add(undecided);
        db.prepared.add(decided);
        db.commitError = XAException.XAER_RMFAIL;
        db.commitFailures = 1;
        f.svc.recovery().register("db", () -> db);
        RecoveryReport first = f.svc.recovery().runPass();
        assertEquals(1, first.rolledBack(), first.toString());
        assertEquals(List.of(decided), db.prepared, "the undecided branch is rolled back, the decided one failed to commit");
        assertEquals(1, f.journal.pending.size(), "the branch listed by TMENDRSCAN is still prepared: the decision stays: " + first);
        RecoveryReport second = f.svc.recovery().runPass();
        assertEquals(1, second.committed(), second.toString());
        assertTrue(f.journal.pending.isEmpty(), second.toString());
    }

    @Test
    void aScanStoppedAtTheRoundCapIsActedOnButCompletesNoDecision() {
        PledgeXid decided = decided(f.svc.nodeName(), 4, "db");
        AtomicInteger rounds = new AtomicInteger();
        ScriptedXAResource db = new ScriptedXAResource("db", f.log) {
            @Override
            public Xid[] recover(int flag) {
                if (flag == TMENDRSCAN) {
                    return new Xid[0];
                }
                // a resource that never stops listing (here: other nodes' branches); ours would have come later
                return new Xid[] {TestXids.ours("someone-else", rounds.incrementAndGet(), 1)};
            }
        };
        db.prepared.add(decided);
        f.svc.recovery().register("db", () -> db);
        RecoveryReport r = f.svc.recovery().runPass();
        assertEquals(Recovery.MAX_SCAN_ROUNDS + 1, rounds.get(), "TMSTARTRSCAN and then the cap of TMNOFLAGS rounds");
        assertEquals(1, f.journal.pending.size(), "an incomplete scan proves nothing about the branch it did not list: " + r);
        assertTrue(r.problems().stream().anyMatch(p -> p.contains("db listed in-doubt branches for " + Recovery.MAX_SCAN_ROUNDS)), r.toString());
        assertTrue(r.problems().stream().anyMatch(p -> p.contains("db (its scan was incomplete)")), r.toString());
        assertFalse(r.isClean());
    }

    @Test
    void aBranchLoggedUnderADeclaredNameIsCompletedOnceEveryRegisteredResourceWasScannedWithoutIt() {
        // a plain XAResource enlisted by third-party code is logged under its class name
        PledgeXid xid = decided(f.svc.nodeName(), 5, "db", "org.example.ClientSessionImpl");
        f.svc.recovery().register("db", () -> f.resource("db"));
        f.svc.recovery().register("broker", () -> f.resource("broker"));
        RecoveryReport undeclared = f.svc.recovery().runPass();
        assertEquals(1, f.journal.pending.size(), "undeclared, the branch may be on a resource not registered yet: " + undeclared);
        assertTrue(undeclared.problems().stream().anyMatch(p -> p.contains("resolveByXid(\"org.example.ClientSessionImpl\")")),
                undeclared.toString());
        f.svc.recovery().resolveByXid("org.example.ClientSessionImpl");
        for (int pass = 1; pass <= 2; pass++) {
            RecoveryReport r = f.svc.recovery().runPass();
            assertTrue(f.journal.pending.isEmpty(), "no registered resource holds either branch: the decision is complete: " + r);
            assertTrue(r.isClean(), "pass " + pass + ": " + r);
        }
        assertEquals(List.of(TestXids.gtrid(xid)), f.journal.completed);
    }

    /** A plain XAResource, as third-party code enlists it: no name of its own, so its branch is logged under its class name. */
    static final class PlainXAResource implements javax.transaction.xa.XAResource {
        final ScriptedXAResource rm;

        PlainXAResource(ScriptedXAResource rm) {
            this.rm = rm;
        }

        @Override
        public void start(Xid xid, int flags) throws XAException {
            rm.start(xid, flags);
        }

        @Override
        public void end(Xid xid, int flags) throws XAException {
            rm.end(xid, flags);
        }

        @Override
        public int prepare(Xid xid) throws XAException {
            return rm.prepare(xid);
        }

        @Override
        public void commit(Xid xid, boolean onePhase) throws XAException {
            rm.commit(xid, onePhase);
        }

        @Override
        public void rollback(Xid xid) throws XAException {
            rm.rollback(xid);
        }

        @Override
        public void forget(Xid xid) {
            rm.forget(xid);
        }

        @Override
        public Xid[] recover(int flag) {
            return rm.recover(flag);
        }

        @Override
        public boolean isSameRM(javax.transaction.xa.XAResource other) {
            return false;
        }

        @Override
        public int getTransactionTimeout() {
            return 0;
        }

        @Override
        public boolean setTransactionTimeout(int seconds) {
            return false;
        }
    }

    /**
     * The JMS bridge's case end to end: the broker committed the plain resource's branch but the
     * answer was lost (XAER_RMFAIL), so the decision stays logged under the class name while the
     * broker, registered under a name of its own, no longer lists the branch.
     */
    @Test
    void aDecisionOfAPlainXAResourceWhoseBranchIsGoneLeavesTheLogOnceItsLoggedNameIsDeclared() throws Exception {
        ScriptedXAResource db = f.resource("db");
        ScriptedXAResource broker = new ScriptedXAResource("broker", f.log) {
            @Override
            public void commit(Xid xid, boolean onePhase) throws XAException {
                super.commit(xid, onePhase);
                throw new XAException(XAException.XAER_RMFAIL); // committed, and then the connection dropped
            }
        };
        f.begin(db, new PlainXAResource(broker));
        f.tm.commit();
        String logged = PlainXAResource.class.getName();
        assertEquals(List.of("db", logged), f.journal.commits.get(0).branches().stream().map(BranchRecord::resourceName).toList());
        assertEquals(1, f.journal.pending.size(), "the broker's branch was left to recovery");
        f.svc.recovery().register("db", () -> db);
        f.svc.recovery().register("broker", () -> broker);
        RecoveryReport waiting = f.svc.recovery().runPass();
        assertEquals(1, f.journal.pending.size(), waiting.toString());
        assertTrue(waiting.problems().stream().anyMatch(p -> p.contains(logged + " (not registered for recovery")), waiting.toString());
        f.svc.recovery().resolveByXid(logged);
        RecoveryReport done = f.svc.recovery().runPass();
        assertTrue(f.journal.pending.isEmpty(), done.toString());
        assertTrue(done.isClean(), done.toString());
        assertEquals(0, f.log.count("broker.rollback") + f.log.count("db.rollback"), f.log.toString());
    }

    /** The lock service's case: the first pass runs inside build(), before the resource holding the branch is registered. */
    @Test
    void aBranchOnAResourceNotRegisteredYetIsNotCompletedByTheScansOfTheOthers() {
        PledgeXid first = decided(f.svc.nodeName(), 9, "first", "locks");
        PledgeXid onLocks = new PledgeXid(first.getGlobalTransactionId(), PledgeXid.bqual(2));
        ScriptedXAResource locks = f.resource("locks");
        locks.prepared.add(onLocks);
        f.svc.recovery().register("first", () -> f.resource("first"));
        RecoveryReport before = f.svc.recovery().runPass();
        assertEquals(1, f.journal.pending.size(), before.toString());
        f.svc.recovery().register("locks", () -> locks);
        RecoveryReport after = f.svc.recovery().runPass();
        assertEquals(1, after.committed(), after.toString());
        assertEquals(0, f.log.count("locks.rollback"), f.log.toString());
        assertTrue(f.journal.pending.isEmpty(), after.toString());
    }

    @Test
    void aBranchLoggedUnderAnUnregisteredNameIsCommittedWhereItsXidIsFound() {
        PledgeXid first = decided(f.svc.nodeName(), 6, "db", "org.example.ClientSessionImpl");
        PledgeXid onBroker = new PledgeXid(first.getGlobalTransactionId(), PledgeXid.bqual(2));
        ScriptedXAResource broker = f.resource("broker");
        broker.prepared.add(onBroker);
        broker.commitError = XAException.XAER_RMFAIL;
        broker.commitFailures = 1;
        f.svc.recovery().register("db", () -> f.resource("db"));
        f.svc.recovery().register("broker", () -> broker);
        RecoveryReport r1 = f.svc.recovery().runPass();
        assertEquals(1, f.journal.pending.size(), "the branch is still prepared on the broker: " + r1);
        assertTrue(r1.problems().stream().anyMatch(p -> p.contains("org.example.ClientSessionImpl (still prepared on broker)")), r1.toString());
        RecoveryReport r2 = f.svc.recovery().runPass();
        assertEquals(1, r2.committed(), r2.toString());
        assertTrue(broker.prepared.isEmpty());
        assertTrue(f.journal.pending.isEmpty(), r2.toString());
        assertTrue(r2.isClean(), r2.toString());
    }

    @Test
    void aBranchLoggedUnderADeclaredNameWaitsWhileARegisteredResourceCannotBeScanned() {
        decided(f.svc.nodeName(), 7, "org.example.ClientSessionImpl");
        f.svc.recovery().resolveByXid("org.example.ClientSessionImpl");
        AtomicInteger calls = new AtomicInteger();
        f.svc.recovery().register("db", () -> f.resource("db"));
        f.svc.recovery().register("broker", () -> {
            if (calls.incrementAndGet() == 1) {
                throw new IllegalStateException("connection refused");
            }
            return f.resource("broker");
        });
        RecoveryReport r1 = f.svc.recovery().runPass();
        assertEquals(1, f.journal.pending.size(), "the broker that may hold the branch was not scanned: " + r1);
        assertEquals(1, r1.pending(), r1.toString());
        assertTrue(r1.problems().stream().anyMatch(p -> p.contains("org.example.ClientSessionImpl (not registered for recovery; resolved by Xid,"
                + " but not every registered resource was scanned")), r1.toString());
        RecoveryReport r2 = f.svc.recovery().runPass();
        assertTrue(f.journal.pending.isEmpty(), r2.toString());
        assertTrue(r2.isClean(), r2.toString());
    }

    @Test
    void aBranchLoggedUnderADeclaredNameWaitsWhileARegisteredResourceCannotListItsBranches() {
        decided(f.svc.nodeName(), 8, "org.example.ClientSessionImpl");
        f.svc.recovery().resolveByXid("org.example.ClientSessionImpl");
        ScriptedXAResource broken = new ScriptedXAResource("broken", f.log) {
            @Override
            public Xid[] recover(int flag) {
                throw new IllegalStateException("XA RECOVER denied");
            }
        };
        f.svc.recovery().register("broken", () -> broken);
        RecoveryReport r = f.svc.recovery().runPass();
        assertEquals(1, f.journal.pending.size(), r.toString());
    }
}
