package dev.pledge.tm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.transaction.HeuristicMixedException;
import jakarta.transaction.RollbackException;
import jakarta.transaction.Status;
import jakarta.transaction.Synchronization;
import jakarta.transaction.Transaction;
import jakarta.transaction.TransactionSynchronizationRegistry;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.transaction.xa.XAException;
import javax.transaction.xa.XAResource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** JTA and XA contract points of issue 17 (items 7, 8, 10, 12, 14), with sequential phases. */
class TransactionContractTest {
    private final Fixture f = new Fixture();
    private final TransactionSynchronizationRegistry tsr = f.svc.synchronizationRegistry();

    @AfterEach
    void close() {
        f.close();
    }

    /** A synchronization that logs its calls as {@code name.before} and {@code name.after(status)}. */
    private Synchronization sync(String name, Runnable before) {
        return new Synchronization() {
            @Override
            public void beforeCompletion() {
                f.log.add(name + ".before");
                before.run();
            }

            @Override
            public void afterCompletion(int status) {
                f.log.add(name + ".after(" + status + ")");
            }
        };
    }

    // ------------------------------------------------------------------ item 7

    @Test
    void committingARollbackOnlyTransactionEndsEveryAssociationIncludingJoinedOnesBeforeRollingBack() throws Exception {
        ScriptedXAResource a1 = f.resource("a1");
        ScriptedXAResource a2 = f.resource("a2");
        a1.sameRM.add(a2);
        a2.sameRM.add(a1);
        f.begin(a1, a2);
        assertTrue(f.log.all().contains("a2.start(TMJOIN)"), f.log.toString());
        f.tm.setRollbackOnly();
        assertThrows(RollbackException.class, f.tm::commit);
        int rollback = f.log.indexOf("a1.rollback");
        assertTrue(rollback > 0, f.log.toString());
        int end1 = f.log.indexOf("a1.end(TMFAIL)");
        int end2 = f.log.indexOf("a2.end(TMFAIL)");
        assertTrue(end1 >= 0 && end1 < rollback, f.log.toString());
        assertTrue(end2 >= 0 && end2 < rollback, "the joined association is ended before the rollback: " + f.log);
        assertEquals(1, f.log.count("a1.end") , f.log.toString());
        assertEquals(1, f.log.count("a2.end"), f.log.toString());
        assertEquals(0, f.log.count("a2.rollback"), "a2 shares a1's branch");
    }

    // ------------------------------------------------------------------ item 8

    @Test
    void anUnknownLastResourceOutcomeIsReportedAsUnknownToTheApplicationAndTheSynchronizations() throws Exception {
        ScriptedXAResource a = f.resource("a");
        ScriptedXAResource b = f.resource("b");
        ScriptedXAResource.Last lr = new ScriptedXAResource.Last("local", f.log);
        lr.commitError = XAException.XAER_RMFAIL;
        Transaction t = f.begin(a, b, lr);
        t.registerSynchronization(sync("s", () -> { }));
        assertThrows(HeuristicMixedException.class, f.tm::commit);
        assertEquals(Status.STATUS_UNKNOWN, t.getStatus());
        assertEquals(1, f.log.count("s.after(" + Status.STATUS_UNKNOWN + ")"), f.log.toString());
        assertEquals(0, f.log.count("s.after(" + Status.STATUS_ROLLEDBACK + ")"), f.log.toString());
        assertEquals(1, f.log.count("a.rollback"));
        assertEquals(1, f.log.count("b.rollback"));
        assertEquals(0, f.log.count("local.rollback"), "its one-phase commit was its chance");
    }

    @Test
    void aLastResourceThatThrowsARuntimeExceptionIsReportedAsUnknown() throws Exception {
        ScriptedXAResource a = f.resource("a");
        ScriptedXAResource.Last lr = new ScriptedXAResource.Last("local", f.log);
        lr.commitThrows = new IllegalStateException("connection reset");
        Transaction t = f.begin(a, lr);
        t.registerSynchronization(sync("s", () -> { }));
        HeuristicMixedException e = assertThrows(HeuristicMixedException.class, f.tm::commit);
        assertSame(lr.commitThrows, e.getCause());
        assertEquals(Status.STATUS_UNKNOWN, t.getStatus());
        assertEquals(List.of("s.after(" + Status.STATUS_UNKNOWN + ")"), afterCalls());
    }

    @Test
    void aLastResourceThatSaysItRolledBackIsStillReportedRolledBack() throws Exception {
        ScriptedXAResource a = f.resource("a");
        ScriptedXAResource.Last lr = new ScriptedXAResource.Last("local", f.log);
        lr.commitError = XAException.XA_RBINTEGRITY;
        Transaction t = f.begin(a, lr);
        t.registerSynchronization(sync("s", () -> { }));
        assertThrows(RollbackException.class, f.tm::commit);
        assertEquals(Status.STATUS_ROLLEDBACK, t.getStatus());
        assertEquals(List.of("s.after(" + Status.STATUS_ROLLEDBACK + ")"), afterCalls());
    }

    private List<String> afterCalls() {
        return f.log.all().stream().filter(c -> c.contains(".after(")).toList();
    }

    // ------------------------------------------------------------------ item 10

    @Test
    void aBranchWhoseEndAnswersXaRbIsRolledBack() throws Exception {
        ScriptedXAResource a = f.resource("a");
        ScriptedXAResource b = f.resource("b");
        a.endError = XAException.XA_RBDEADLOCK;
        Transaction t = f.begin(a, b);
        RollbackException e = assertThrows(RollbackException.class, f.tm::commit);
        assertInstanceOf(XAException.class, e.getCause());
        assertEquals(1, f.log.count("a.rollback"), "the branch still exists in the resource manager: " + f.log);
        assertEquals(1, f.log.count("b.rollback"), f.log.toString());
        assertEquals(0, f.log.count("a.prepare") + f.log.count("b.prepare"), f.log.toString());
        assertEquals(Status.STATUS_ROLLEDBACK, t.getStatus());
    }

    @Test
    void aNotaFromTheRollbackAfterAnXaRbEndMeansTheBranchIsGone() throws Exception {
        ScriptedXAResource a = f.resource("a");
        a.endError = XAException.XA_RBROLLBACK;
        a.rollbackError = XAException.XAER_NOTA;
        Transaction t = f.begin(a);
        t.registerSynchronization(sync("s", () -> { }));
        assertThrows(RollbackException.class, f.tm::commit);
        assertEquals(1, f.log.count("a.rollback"));
        assertEquals(Status.STATUS_ROLLEDBACK, t.getStatus());
        assertEquals(List.of("s.after(" + Status.STATUS_ROLLEDBACK + ")"), afterCalls());
        assertEquals(1, f.svc.metrics().getRolledBack());
        assertEquals(0, f.svc.metrics().getHeuristic());
    }

    @Test
    void afterOneBranchEndsWithXaRbTheOthersAreEndedWithTmfail() throws Exception {
        ScriptedXAResource a = f.resource("a");
        ScriptedXAResource b = f.resource("b");
        a.endError = XAException.XA_RBTIMEOUT;
        f.begin(a, b);
        assertThrows(RollbackException.class, f.tm::commit);
        assertEquals(1, f.log.count("b.end(TMFAIL)"), f.log.toString());
        assertEquals(0, f.log.count("b.end(TMSUCCESS)"), f.log.toString());
        assertEquals(1, f.log.count("b.rollback"));
    }

    @Test
    void delistingWithTmsuccessFromARollbackOnlyTransactionEndsWithTmfail() throws Exception {
        ScriptedXAResource a = f.resource("a");
        Transaction t = f.begin(a);
        t.setRollbackOnly();
        assertTrue(t.delistResource(a, XAResource.TMSUCCESS));
        assertEquals(1, f.log.count("a.end(TMFAIL)"), f.log.toString());
        assertEquals(0, f.log.count("a.end(TMSUCCESS)"), f.log.toString());
        f.tm.rollback();
        assertEquals(1, f.log.count("a.rollback"));
    }

    // ------------------------------------------------------------------ item 12

    @Test
    void insideAfterCompletionGetAndPutResourceThrowButTheKeyAndStatusStillAnswer() throws Exception {
        List<Object> seen = new CopyOnWriteArrayList<>();
        f.tm.begin();
        f.tm.getTransaction().enlistResource(f.resource("a"));
        tsr.putResource("session", "s1");
        Object key = tsr.getTransactionKey();
        tsr.registerInterposedSynchronization(registryProbe(seen));
        f.tm.commit();
        assertEquals(4, seen.size(), seen.toString());
        assertInstanceOf(IllegalStateException.class, seen.get(0), "getResource");
        assertInstanceOf(IllegalStateException.class, seen.get(1), "putResource");
        assertEquals(key, seen.get(2));
        assertEquals(Status.STATUS_COMMITTED, seen.get(3));
    }

    @Test
    void insideAfterCompletionOfARollbackGetResourceThrows() throws Exception {
        List<Object> seen = new CopyOnWriteArrayList<>();
        f.tm.begin();
        tsr.putResource("session", "s1");
        Object key = tsr.getTransactionKey();
        tsr.registerInterposedSynchronization(registryProbe(seen));
        f.tm.rollback();
        assertEquals(4, seen.size(), seen.toString());
        assertInstanceOf(IllegalStateException.class, seen.get(0), "getResource");
        assertInstanceOf(IllegalStateException.class, seen.get(1), "putResource");
        assertEquals(key, seen.get(2));
        assertEquals(Status.STATUS_ROLLEDBACK, seen.get(3));
    }

    @Test
    void insideBeforeCompletionGetAndPutResourceStillWork() throws Exception {
        List<Object> seen = new CopyOnWriteArrayList<>();
        f.tm.begin();
        tsr.putResource("session", "s1");
        tsr.registerInterposedSynchronization(new Synchronization() {
            @Override
            public void beforeCompletion() {
                seen.add(tsr.getResource("session"));
                tsr.putResource("flushed", Boolean.TRUE);
                seen.add(tsr.getResource("flushed"));
            }

            @Override
            public void afterCompletion(int status) {
            }
        });
        f.tm.commit();
        assertEquals(Arrays.asList("s1", Boolean.TRUE), seen);
    }

    /** Records what the registry answers in afterCompletion: getResource, putResource, getTransactionKey, getTransactionStatus. */
    private Synchronization registryProbe(List<Object> seen) {
        return new Synchronization() {
            @Override
            public void beforeCompletion() {
            }

            @Override
            public void afterCompletion(int status) {
                try {
                    seen.add(String.valueOf(tsr.getResource("session")));
                } catch (RuntimeException e) {
                    seen.add(e);
                }
                try {
                    tsr.putResource("late", "x");
                    seen.add("put");
                } catch (RuntimeException e) {
                    seen.add(e);
                }
                Object key = tsr.getTransactionKey();
                seen.add(key == null ? "no key" : key);
                seen.add(tsr.getTransactionStatus());
            }
        };
    }

    // ------------------------------------------------------------------ item 14

    @Test
    void theExceptionOfASynchronizationThatMarkedRollbackOnlyAndThrewIsTheCause() throws Exception {
        ScriptedXAResource a = f.resource("a");
        IllegalStateException violation = new IllegalStateException("constraint violation: duplicate key");
        Transaction t = f.begin(a);
        t.registerSynchronization(sync("flush", () -> {
            try {
                f.tm.setRollbackOnly();
            } catch (Exception e) {
                throw new AssertionError(e);
            }
            throw violation;
        }));
        RollbackException e = assertThrows(RollbackException.class, f.tm::commit);
        assertSame(violation, e.getCause());
        assertEquals(1, f.log.count("a.rollback"));
    }

    @Test
    void theFirstRealFailureIsTheCauseAndLaterOnesAreSuppressed() throws Exception {
        ScriptedXAResource a = f.resource("a");
        ScriptedXAResource b = f.resource("b");
        a.endError = XAException.XAER_RMERR;
        b.endError = XAException.XAER_RMFAIL;
        Transaction t = f.begin(a, b);
        assertFalse(t.delistResource(a, XAResource.TMSUCCESS));
        assertFalse(t.delistResource(b, XAResource.TMSUCCESS));
        RollbackException e = assertThrows(RollbackException.class, f.tm::commit);
        XAException first = assertInstanceOf(XAException.class, e.getCause());
        assertEquals(XAException.XAER_RMERR, first.errorCode);
        assertEquals(1, first.getSuppressed().length, Arrays.toString(first.getSuppressed()));
        assertEquals(XAException.XAER_RMFAIL, ((XAException) first.getSuppressed()[0]).errorCode);
    }

    @Test
    void setRollbackOnlyAloneStillGivesACause() throws Exception {
        f.begin(f.resource("a"));
        f.tm.setRollbackOnly();
        RollbackException e = assertThrows(RollbackException.class, f.tm::commit);
        assertNotNull(e.getCause());
        assertTrue(e.getCause().getMessage().contains("setRollbackOnly"), e.getCause().getMessage());
    }
}
