package dev.pledge.tm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import jakarta.transaction.HeuristicMixedException;
import jakarta.transaction.RollbackException;
import jakarta.transaction.Status;
import java.util.List;
import java.util.stream.Stream;
import javax.transaction.xa.XAException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The treatment of every XA error code in phase one and phase two, one row each, as the table in
 * {@code docs/xa-error-codes.md} states it. Two branches; the first answers the code, the second
 * behaves. In particular an error that does not say the branch is gone (XAER_RMFAIL, XAER_RMERR,
 * XAER_PROTO, XAER_INVAL) leaves a committed branch to recovery, never counted as finished.
 */
class XaErrorCodeTableTest {

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
                new CommitRow("XAER_INVAL", XAException.XAER_INVAL, null, Status.STATUS_COMMITTED, true, null))
                .map(r -> Arguments.of(r.code(), r));
    }

    @ParameterizedTest(name = "phase-two commit answering {0}")
    @MethodSource
    void phaseTwoCommit(String name, CommitRow row) throws Exception {
        try (Fixture f = new Fixture()) {
            ScriptedXAResource a = f.resource("a");
            a.commitError = row.xaCode();
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
                Arguments.of("XAER_PROTO", XAException.XAER_PROTO, true));
    }

    /** A prepare that fails is a no vote: nothing is logged and every branch rolls back; after XA_RB* the branch is already gone. */
    @ParameterizedTest(name = "prepare answering {0}")
    @MethodSource
    void phaseOne(String name, int code, boolean rollbackSentToTheFailedBranch) throws Exception {
        try (Fixture f = new Fixture()) {
            ScriptedXAResource a = f.resource("a");
            a.prepareError = code;
            ScriptedXAResource b = f.resource("b");
            var tx = f.begin(a, b);
            assertThrows(RollbackException.class, f.tm::commit);
            assertEquals(Status.STATUS_ROLLEDBACK, tx.getStatus());
            assertEquals(0, f.journal.pending.size(), "no decision");
            assertEquals(rollbackSentToTheFailedBranch ? 1 : 0, f.log.count("a.rollback"), "rollback of the branch that failed its prepare");
            assertEquals(0, f.log.count("b.commit"), "nothing committed");
        }
    }
}
