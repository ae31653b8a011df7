package dev.pledge.tm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pledge.tm.log.LogRecords.BranchRecord;
import dev.pledge.tm.log.LogRecords.CommitRecord;
import dev.pledge.tm.log.LogRecords.HeuristicRecord;
import jakarta.transaction.HeuristicMixedException;
import jakarta.transaction.HeuristicRollbackException;
import jakarta.transaction.RollbackException;
import jakarta.transaction.Status;
import jakarta.transaction.SystemException;
import jakarta.transaction.Transaction;
import java.util.List;
import java.util.stream.Stream;
import javax.transaction.xa.XAException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The treatment of every XA error code, one row each, as the tables in {@code docs/xa-error-codes.md}
 * state it: enlistment, the end of the association, phase one, phase two, one-phase commit (of a lone
 * branch and of the last resource), rollback, and recovery's commit and rollback. The resource under
 * test answers the code; the others behave. In particular an error that does not say the branch is
 * gone (XAER_RMFAIL, XAER_RMERR, XAER_PROTO, XAER_INVAL, a RuntimeException) leaves a committed branch
 * to recovery, never counted as finished.
 */
class XaErrorCodeTableTest {
    /** Stands for "the call throws a RuntimeException" where the rows list an XA code. */
    static final int RUNTIME_EXCEPTION = Integer.MIN_VALUE;

    private static RuntimeException driverBug() {
        return new IllegalStateException("driver bug (scripted)");
    }

    /** What the application sees and what stays in the log after a phase-two commit answered {@code code}. */
    record CommitRow(String code, int xaCode, Class<? extends Exception> thrown, int status, boolean decisionStillLogged,
            Integer heuristicRecorded) {
    }

    static Stream<Arguments> phaseTwoCommit() {
        return Stream.of(
                new CommitRow("XA_HEURCOM", XAException.XA_HEURCOM, null, Status.STATUS_COMMITTED, false, null),
                new CommitRow("XAER_NOTA", XAException.XAER_NOTA, HeuristicMixedException.class, Status.STATUS_UNKNOWN, false,
                        XAException.XA_HEURHAZ),
                new CommitRow("XA_HEURRB", XAException.XA_HEURRB, HeuristicMixedException.class, Status.STATUS_UNKNOWN, false,
                        XAException.XA_HEURRB),
                new CommitRow("XA_HEURMIX", XAException.XA_HEURMIX, HeuristicMixedException.class, Status.STATUS_UNKNOWN, false,
                        XAException.XA_HEURMIX),
                new CommitRow("XA_HEURHAZ", XAException.XA_HEURHAZ, HeuristicMixedException.class, Status.STATUS_UNKNOWN, false,
                        XAException.XA_HEURHAZ),
                new CommitRow("XA_RBROLLBACK", XAException.XA_RBROLLBACK, HeuristicMixedException.class, Status.STATUS_UNKNOWN, false,
                        XAException.XA_RBROLLBACK),
                new CommitRow("XAER_RMFAIL", XAException.XAER_RMFAIL, null, Status.STATUS_COMMITTED, true, null),
                new CommitRow("XAER_RMERR", XAException.XAER_RMERR, null, Status.STATUS_COMMITTED, true, null),
                new CommitRow("XAER_PROTO", XAException.XAER_PROTO, null, Status.STATUS_COMMITTED, true, null),
                new CommitRow("XAER_INVAL", XAException.XAER_INVAL, null, Status.STATUS_COMMITTED, true, null),
                new CommitRow("a RuntimeException", RUNTIME_EXCEPTION, null, Status.STATUS_COMMITTED, true, null))
                .map(r -> Arguments.of(r.code(), r));
    }

    @ParameterizedTest(name = "phase-two commit answering {0}")
    @MethodSource
    void phaseTwoCommit(String name, CommitRow row) throws Exception {
        try (Fixture f = new Fixture()) {
            ScriptedXAResource a = f.resource("a");
            if (row.xaCode() == RUNTIME_EXCEPTION) {
                a.commitThrows = driverBug();
            } else {
                a.commitError = row.xaCode();
            }
            ScriptedXAResource b = f.resource("b");
            var tx = f.begin(a, b);
            var gtrid = ((TransactionImpl) tx).gtrid;
            if (row.thrown() == null) {
                f.tm.commit();
            } else {
                assertThrows(row.thrown(), f.tm::commit);
            }
            assertEquals(row.status(), tx.getStatus(), "status");
            assertEquals(row.decisionStillLogged(), f.journal.pending.containsKey(gtrid), "decision left for recovery");
            List<Integer> heuristics = f.journal.heuristics.stream().map(h -> h.xaCode()).toList();
            assertEquals(row.heuristicRecorded() == null ? List.of() : List.of(row.heuristicRecorded()), heuristics, "heuristic records");
            assertEquals(1, f.log.count("b.commit"), "the other branch committed");
        }
    }

    static Stream<Arguments> phaseOne() {
        return Stream.of(
                Arguments.of("XA_RBROLLBACK", XAException.XA_RBROLLBACK, false),
                Arguments.of("XA_RBDEADLOCK", XAException.XA_RBDEADLOCK, false),
                Arguments.of("XA_RBTIMEOUT", XAException.XA_RBTIMEOUT, false),
                Arguments.of("XAER_NOTA", XAException.XAER_NOTA, true),
                Arguments.of("XAER_RMFAIL", XAException.XAER_RMFAIL, true),
                Arguments.of("XAER_RMERR", XAException.XAER_RMERR, true),
                Arguments.of("XAER_PROTO", XAException.XAER_PROTO, true),
                Arguments.of("XAER_INVAL", XAException.XAER_INVAL, true),
                Arguments.of("a RuntimeException", RUNTIME_EXCEPTION, true));
    }

    /** A prepare that fails is a no vote: nothing is logged and every branch rolls back; after XA_RB* the branch is already gone. */
    @ParameterizedTest(name = "prepare answering {0}")
    @MethodSource
    void phaseOne(String name, int code, boolean rollbackSentToTheFailedBranch) throws Exception {
        try (Fixture f = new Fixture()) {
            ScriptedXAResource a = f.resource("a");
            if (code == RUNTIME_EXCEPTION) {
                a.prepareThrows = driverBug();
            } else {
                a.prepareError = code;
            }
            ScriptedXAResource b = f.resource("b");
            var tx = f.begin(a, b);
            assertThrows(RollbackException.class, f.tm::commit);
            assertEquals(Status.STATUS_ROLLEDBACK, tx.getStatus());
            assertEquals(0, f.journal.pending.size(), "no decision");
            assertEquals(rollbackSentToTheFailedBranch ? 1 : 0, f.log.count("a.rollback"), "rollback of the branch that failed its prepare");
            assertEquals(0, f.log.count("b.commit"), "nothing committed");
        }
    }

    // ------------------------------------------------------------------ enlistment: start

    static Stream<Arguments> start() {
        return Stream.of(
                Arguments.of("XA_RBROLLBACK", XAException.XA_RBROLLBACK, RollbackException.class),
                Arguments.of("XA_RBTIMEOUT", XAException.XA_RBTIMEOUT, RollbackException.class),
                Arguments.of("XAER_RMFAIL", XAException.XAER_RMFAIL, SystemException.class),
                Arguments.of("XAER_DUPID", XAException.XAER_DUPID, SystemException.class),
                Arguments.of("XAER_PROTO", XAException.XAER_PROTO, SystemException.class));
    }

    /** A resource that cannot start its branch makes the transaction rollback-only: the work around it is never committed. */
    @ParameterizedTest(name = "start answering {0}")
    @MethodSource
    void start(String name, int code, Class<? extends Exception> thrown) throws Exception {
        try (Fixture f = new Fixture()) {
            ScriptedXAResource other = f.resource("other");
            Transaction tx = f.begin(other);
            ScriptedXAResource a = f.resource("a");
            a.startError = code;
            assertThrows(thrown, () -> tx.enlistResource(a));
            assertEquals(Status.STATUS_MARKED_ROLLBACK, tx.getStatus(), "rollback-only");
            assertThrows(RollbackException.class, f.tm::commit);
            assertEquals(0, f.log.count("other.commit"), "nothing committed without the resource that failed to start");
            assertEquals(0, f.journal.commits.size(), "nothing logged");
        }
    }

    // ------------------------------------------------------------------ end(TMSUCCESS) before prepare

    static Stream<Arguments> endWithAnError() {
        return Stream.of(
                Arguments.of("XAER_RMERR", XAException.XAER_RMERR),
                Arguments.of("XAER_RMFAIL", XAException.XAER_RMFAIL),
                Arguments.of("XAER_PROTO", XAException.XAER_PROTO),
                Arguments.of("XAER_NOTA", XAException.XAER_NOTA));
    }

    @ParameterizedTest(name = "end(TMSUCCESS) answering {0}")
    @MethodSource
    void endWithAnError(String name, int code) throws Exception {
        try (Fixture f = new Fixture()) {
            ScriptedXAResource a = f.resource("a");
            a.endError = code;
            ScriptedXAResource b = f.resource("b");
            Transaction tx = f.begin(a, b);
            RollbackException e = assertThrows(RollbackException.class, f.tm::commit);
            assertTrue(causes(e).stream().anyMatch(c -> c instanceof XAException x && x.errorCode == code),
                    "the end's error is the cause: " + causes(e));
            assertEquals(Status.STATUS_ROLLEDBACK, tx.getStatus());
            assertEquals(0, f.log.count("a.prepare") + f.log.count("b.prepare"), "no prepare after a failed end: " + f.log);
            assertEquals(0, f.log.count("b.commit"));
            assertEquals(1, f.log.count("b.rollback"), "the other branch rolls back");
            assertEquals(0, f.journal.commits.size(), "nothing logged");
        }
    }

    private static List<Throwable> causes(Throwable t) {
        List<Throwable> all = new java.util.ArrayList<>();
        for (Throwable c = t.getCause(); c != null && !all.contains(c); c = c.getCause()) {
            all.add(c);
        }
        return all;
    }

    // ------------------------------------------------------------------ one-phase commit of a lone branch

    /** What a lone branch's one-phase commit answering {@code code} ends in. */
    record OnePhaseRow(int code, Class<? extends Exception> thrown, int status, Integer heuristicRecorded, boolean forgotten) {
    }

    static Stream<Arguments> onePhaseCommit() {
        return Stream.of(
                Arguments.of("XA_RBROLLBACK", new OnePhaseRow(XAException.XA_RBROLLBACK, RollbackException.class, Status.STATUS_ROLLEDBACK,
                        null, false)),
                Arguments.of("XA_RBTIMEOUT", new OnePhaseRow(XAException.XA_RBTIMEOUT, RollbackException.class, Status.STATUS_ROLLEDBACK,
                        null, false)),
                Arguments.of("XAER_NOTA", new OnePhaseRow(XAException.XAER_NOTA, RollbackException.class, Status.STATUS_ROLLEDBACK, null,
                        false)),
                Arguments.of("XA_HEURCOM", new OnePhaseRow(XAException.XA_HEURCOM, null, Status.STATUS_COMMITTED, null, true)),
                Arguments.of("XA_HEURRB", new OnePhaseRow(XAException.XA_HEURRB, HeuristicRollbackException.class, Status.STATUS_ROLLEDBACK,
                        XAException.XA_HEURRB, true)),
                Arguments.of("XA_HEURMIX", new OnePhaseRow(XAException.XA_HEURMIX, HeuristicMixedException.class, Status.STATUS_UNKNOWN,
                        XAException.XA_HEURMIX, true)),
                Arguments.of("XA_HEURHAZ", new OnePhaseRow(XAException.XA_HEURHAZ, HeuristicMixedException.class, Status.STATUS_UNKNOWN,
                        XAException.XA_HEURHAZ, true)),
                Arguments.of("XAER_RMFAIL", new OnePhaseRow(XAException.XAER_RMFAIL, HeuristicMixedException.class, Status.STATUS_UNKNOWN,
                        null, false)),
                Arguments.of("XAER_RMERR", new OnePhaseRow(XAException.XAER_RMERR, HeuristicMixedException.class, Status.STATUS_UNKNOWN,
                        null, false)),
                Arguments.of("a RuntimeException", new OnePhaseRow(RUNTIME_EXCEPTION, HeuristicMixedException.class, Status.STATUS_UNKNOWN,
                        null, false)));
    }

    @ParameterizedTest(name = "one-phase commit answering {0}")
    @MethodSource
    void onePhaseCommit(String name, OnePhaseRow row) throws Exception {
        try (Fixture f = new Fixture()) {
            ScriptedXAResource a = f.resource("a");
            if (row.code() == RUNTIME_EXCEPTION) {
                a.commitThrows = driverBug();
            } else {
                a.commitError = row.code();
            }
            Transaction tx = f.begin(a);
            if (row.thrown() == null) {
                f.tm.commit();
            } else {
                assertThrows(row.thrown(), f.tm::commit);
            }
            assertEquals(1, f.log.count("a.commit(true)"), "one phase: " + f.log);
            assertEquals(row.status(), tx.getStatus(), "status");
            List<Integer> heuristics = f.journal.heuristics.stream().map(HeuristicRecord::xaCode).toList();
            assertEquals(row.heuristicRecorded() == null ? List.of() : List.of(row.heuristicRecorded()), heuristics, "heuristic records");
            assertEquals(row.forgotten() ? 1 : 0, f.log.count("a.forget"), "forget");
            assertEquals(0, f.journal.commits.size(), "a one-phase commit logs no decision");
        }
    }

    // ------------------------------------------------------------------ one-phase commit of the last resource

    static Stream<Arguments> lastResourceCommit() {
        return Stream.of(
                Arguments.of("XA_RBROLLBACK", XAException.XA_RBROLLBACK, RollbackException.class, Status.STATUS_ROLLEDBACK, false),
                Arguments.of("XAER_NOTA", XAException.XAER_NOTA, RollbackException.class, Status.STATUS_ROLLEDBACK, false),
                Arguments.of("XA_HEURRB", XAException.XA_HEURRB, RollbackException.class, Status.STATUS_ROLLEDBACK, false),
                Arguments.of("XA_HEURCOM", XAException.XA_HEURCOM, null, Status.STATUS_COMMITTED, true),
                Arguments.of("XA_HEURMIX", XAException.XA_HEURMIX, HeuristicMixedException.class, Status.STATUS_UNKNOWN, false),
                Arguments.of("XAER_RMFAIL", XAException.XAER_RMFAIL, HeuristicMixedException.class, Status.STATUS_UNKNOWN, false),
                Arguments.of("a RuntimeException", RUNTIME_EXCEPTION, HeuristicMixedException.class, Status.STATUS_UNKNOWN, false));
    }

    /** The last resource's answer decides: committed, the XA branches commit; anything else, they roll back. */
    @ParameterizedTest(name = "the last resource's one-phase commit answering {0}")
    @MethodSource
    void lastResourceCommit(String name, int code, Class<? extends Exception> thrown, int status, boolean xaBranchesCommit) throws Exception {
        try (Fixture f = new Fixture()) {
            ScriptedXAResource.Last last = new ScriptedXAResource.Last("last", f.log);
            if (code == RUNTIME_EXCEPTION) {
                last.commitThrows = driverBug();
            } else {
                last.commitError = code;
            }
            ScriptedXAResource x = f.resource("x");
            ScriptedXAResource y = f.resource("y");
            Transaction tx = f.begin(x, y, last);
            if (thrown == null) {
                f.tm.commit();
            } else {
                assertThrows(thrown, f.tm::commit);
            }
            assertEquals(status, tx.getStatus(), "status");
            assertEquals(1, f.log.count("last.commit(true)"), f.log.toString());
            for (String branch : List.of("x", "y")) {
                assertEquals(xaBranchesCommit ? 1 : 0, f.log.count(branch + ".commit(false)"), branch + " committed: " + f.log);
                assertEquals(xaBranchesCommit ? 0 : 1, f.log.count(branch + ".rollback"), branch + " rolled back: " + f.log);
            }
            assertTrue(x.prepared.isEmpty() && y.prepared.isEmpty(), "no XA branch is left prepared");
        }
    }

    // ------------------------------------------------------------------ rollback of a branch after a no vote

    static Stream<Arguments> rollbackAfterANoVote() {
        return Stream.of(
                Arguments.of("OK", 0, null, false, false),
                Arguments.of("XAER_NOTA", XAException.XAER_NOTA, null, false, false),
                Arguments.of("XA_RBROLLBACK", XAException.XA_RBROLLBACK, null, false, false),
                Arguments.of("XA_HEURRB", XAException.XA_HEURRB, null, true, false),
                Arguments.of("XA_HEURCOM", XAException.XA_HEURCOM, XAException.XA_HEURCOM, true, false),
                Arguments.of("XA_HEURMIX", XAException.XA_HEURMIX, XAException.XA_HEURMIX, true, false),
                Arguments.of("XA_HEURHAZ", XAException.XA_HEURHAZ, XAException.XA_HEURHAZ, true, false),
                Arguments.of("XAER_RMFAIL", XAException.XAER_RMFAIL, null, false, true),
                Arguments.of("XAER_RMERR", XAException.XAER_RMERR, null, false, true),
                Arguments.of("a RuntimeException", RUNTIME_EXCEPTION, null, false, true));
    }

    /**
     * The first branch prepares, the second votes no; the first's rollback answers {@code code}. A branch left
     * to recovery is rolled back by the next pass (presumed abort).
     */
    @ParameterizedTest(name = "rollback answering {0}")
    @MethodSource
    void rollbackAfterANoVote(String name, int code, Integer heuristicRecorded, boolean forgotten, boolean leftToRecovery) throws Exception {
        try (Fixture f = new Fixture()) {
            ScriptedXAResource a = f.resource("a");
            if (code == RUNTIME_EXCEPTION) {
                a.rollbackThrows = driverBug();
            } else {
                a.rollbackError = code;
            }
            ScriptedXAResource b = f.resource("b");
            b.prepareError = XAException.XA_RBROLLBACK;
            Transaction tx = f.begin(a, b);
            assertThrows(RollbackException.class, f.tm::commit);
            assertEquals(1, f.log.count("a.rollback"), f.log.toString());
            assertEquals(0, f.journal.commits.size(), "nothing decided");
            List<Integer> heuristics = f.journal.heuristics.stream().map(HeuristicRecord::xaCode).toList();
            assertEquals(heuristicRecorded == null ? List.of() : List.of(heuristicRecorded), heuristics, "heuristic records");
            assertTrue(f.journal.heuristics.stream().noneMatch(HeuristicRecord::decisionWasCommit), "the decision was rollback");
            assertEquals(forgotten ? 1 : 0, f.log.count("a.forget"), "forget");
            if (leftToRecovery) {
                assertFalse(a.prepared.isEmpty(), "left prepared for recovery");
                a.rollbackThrows = null;
                a.rollbackError = 0;
                f.svc.recovery().register("a", () -> a);
                RecoveryReport pass = f.svc.recovery().runPass();
                assertEquals(1, pass.rolledBack(), pass.toString());
                assertTrue(a.prepared.isEmpty(), "recovery rolled it back by presumed abort");
            }
        }
    }

    // ------------------------------------------------------------------ recovery

    /** A decision to commit, logged, whose only branch is prepared at {@code db}. */
    private static PledgeXid decidedAndPrepared(Fixture f, ScriptedXAResource db, long seq) throws Exception {
        PledgeXid xid = TestXids.ours(f.svc.nodeName(), seq, 1);
        f.journal.logCommit(new CommitRecord(TestXids.gtrid(xid), List.of(new BranchRecord(xid.bqualBytes(), db.name)), 0));
        db.prepared.add(xid);
        return xid;
    }

    static Stream<Arguments> recoveryCommit() {
        return Stream.of(
                Arguments.of("OK", 0, true, null),
                Arguments.of("XA_HEURCOM", XAException.XA_HEURCOM, true, null),
                Arguments.of("XA_HEURRB", XAException.XA_HEURRB, true, XAException.XA_HEURRB),
                Arguments.of("XA_HEURMIX", XAException.XA_HEURMIX, true, XAException.XA_HEURMIX),
                Arguments.of("XA_HEURHAZ", XAException.XA_HEURHAZ, true, XAException.XA_HEURHAZ),
                Arguments.of("XA_RBROLLBACK", XAException.XA_RBROLLBACK, true, XAException.XA_RBROLLBACK),
                Arguments.of("XAER_NOTA", XAException.XAER_NOTA, false, null),
                Arguments.of("XAER_RMFAIL", XAException.XAER_RMFAIL, false, null),
                Arguments.of("XAER_RMERR", XAException.XAER_RMERR, false, null),
                Arguments.of("XAER_PROTO", XAException.XAER_PROTO, false, null),
                Arguments.of("XAER_INVAL", XAException.XAER_INVAL, false, null),
                Arguments.of("a RuntimeException", RUNTIME_EXCEPTION, false, null));
    }

    /**
     * Recovery commits a logged decision's branch that a scan lists. Done: the decision is complete after the pass
     * (a heuristic one recorded and forgotten). Not done: the decision stays, the pass reports the branch pending,
     * and the next pass finishes it (XAER_NOTA for a branch the scan listed proves nothing: the next complete scan
     * that no longer lists it does).
     */
    @ParameterizedTest(name = "recovery's commit answering {0}")
    @MethodSource
    void recoveryCommit(String name, int code, boolean done, Integer heuristicRecorded) throws Exception {
        try (Fixture f = new Fixture()) {
            ScriptedXAResource db = f.resource("db");
            PledgeXid xid = decidedAndPrepared(f, db, 1);
            if (code == RUNTIME_EXCEPTION) {
                db.commitThrows = driverBug();
            } else {
                db.commitError = code;
            }
            f.svc.recovery().register("db", () -> db);
            RecoveryReport pass = f.svc.recovery().runPass();
            assertEquals(1, f.log.count("db.commit(false)"), f.log.toString());
            List<Integer> heuristics = f.journal.heuristics.stream().map(HeuristicRecord::xaCode).toList();
            assertEquals(heuristicRecorded == null ? List.of() : List.of(heuristicRecorded), heuristics, "heuristic records");
            assertTrue(f.journal.heuristics.stream().allMatch(HeuristicRecord::decisionWasCommit));
            boolean forgotten = heuristicRecorded != null || code == XAException.XA_HEURCOM;
            assertEquals(forgotten ? 1 : 0, f.log.count("db.forget"), "forget");
            assertEquals(done, f.journal.pendingCommits().isEmpty(), "decision complete: " + pass);
            assertEquals(done ? 0 : 1, pass.pending(), pass.toString());
            if (!done) {
                db.commitThrows = null;
                db.commitError = 0;
                if (code == XAException.XAER_NOTA) {
                    db.prepared.remove(xid); // it was finished meanwhile by someone else: the next scan does not list it
                }
                RecoveryReport next = f.svc.recovery().runPass();
                assertTrue(next.isClean(), next.toString());
                assertTrue(f.journal.pendingCommits().isEmpty(), "the next pass finishes it: " + next);
                assertTrue(db.prepared.isEmpty());
            }
        }
    }

    static Stream<Arguments> recoveryRollback() {
        return Stream.of(
                Arguments.of("OK", 0, true, null, false),
                Arguments.of("XA_RBROLLBACK", XAException.XA_RBROLLBACK, true, null, false),
                Arguments.of("XA_HEURRB", XAException.XA_HEURRB, true, null, true),
                Arguments.of("XA_HEURCOM", XAException.XA_HEURCOM, true, XAException.XA_HEURCOM, true),
                Arguments.of("XA_HEURMIX", XAException.XA_HEURMIX, true, XAException.XA_HEURMIX, true),
                Arguments.of("XA_HEURHAZ", XAException.XA_HEURHAZ, true, XAException.XA_HEURHAZ, true),
                Arguments.of("XAER_NOTA", XAException.XAER_NOTA, false, null, false),
                Arguments.of("XAER_RMFAIL", XAException.XAER_RMFAIL, false, null, false),
                Arguments.of("XAER_RMERR", XAException.XAER_RMERR, false, null, false),
                Arguments.of("a RuntimeException", RUNTIME_EXCEPTION, false, null, false));
    }

    /** A branch of this node without a decision (presumed abort) whose rollback answers {@code code}. */
    @ParameterizedTest(name = "recovery's rollback answering {0}")
    @MethodSource
    void recoveryRollback(String name, int code, boolean done, Integer heuristicRecorded, boolean forgotten) {
        try (Fixture f = new Fixture()) {
            ScriptedXAResource db = f.resource("db");
            PledgeXid xid = TestXids.ours(f.svc.nodeName(), 2, 1);
            db.prepared.add(xid);
            if (code == RUNTIME_EXCEPTION) {
                db.rollbackThrows = driverBug();
            } else {
                db.rollbackError = code;
            }
            f.svc.recovery().register("db", () -> db);
            RecoveryReport pass = f.svc.recovery().runPass();
            assertEquals(1, f.log.count("db.rollback"), f.log.toString());
            List<Integer> heuristics = f.journal.heuristics.stream().map(HeuristicRecord::xaCode).toList();
            assertEquals(heuristicRecorded == null ? List.of() : List.of(heuristicRecorded), heuristics, "heuristic records");
            assertTrue(f.journal.heuristics.stream().noneMatch(HeuristicRecord::decisionWasCommit));
            assertEquals(forgotten ? 1 : 0, f.log.count("db.forget"), "forget");
            assertEquals(done ? 0 : 1, pass.pending(), pass.toString());
            if (!done) {
                db.rollbackThrows = null;
                db.rollbackError = 0;
                if (code == XAException.XAER_NOTA) {
                    db.prepared.remove(xid); // finished meanwhile by someone else
                }
                RecoveryReport next = f.svc.recovery().runPass();
                assertTrue(next.isClean(), next.toString());
                assertTrue(db.prepared.isEmpty());
            }
        }
    }
}
