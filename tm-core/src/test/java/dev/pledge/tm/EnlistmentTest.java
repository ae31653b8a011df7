package dev.pledge.tm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.transaction.RollbackException;
import jakarta.transaction.Status;
import jakarta.transaction.Synchronization;
import jakarta.transaction.Transaction;
import java.util.List;
import javax.transaction.xa.XAException;
import javax.transaction.xa.XAResource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class EnlistmentTest {
    private final Fixture f = new Fixture();

    @AfterEach
    void close() {
        f.close();
    }

    @Test
    void sameResourceManagerJoinsTheBranchAndPreparesOnce() throws Exception {
        ScriptedXAResource a1 = f.resource("a1");
        ScriptedXAResource a2 = f.resource("a2");
        a1.sameRM.add(a2);
        a2.sameRM.add(a1);
        ScriptedXAResource b = f.resource("b");
        f.tm.begin();
        f.tm.getTransaction().enlistResource(a1);
        f.tm.getTransaction().enlistResource(a2);
        f.tm.getTransaction().enlistResource(b);
        f.tm.commit();
        assertTrue(f.log.all().contains("a2.start(TMJOIN)"), f.log.toString());
        assertArrayEquals(a1.started.get(0).getBranchQualifier(), a2.started.get(0).getBranchQualifier());
        assertEquals(1, f.log.count("a2.end(TMSUCCESS)"));
        assertEquals(0, f.log.count("a2.prepare") + f.log.count("a2.commit"), f.log.toString());
        assertEquals(1, f.log.count("a1.prepare"));
        assertEquals(2, f.journal.commits.get(0).branches().size());
    }

    @Test
    void aResourceThatFailsToStartLeavesTheTransactionRollbackOnlyEvenIfTheCallerCommits() throws Exception {
        ScriptedXAResource db = f.resource("db");
        ScriptedXAResource broker = f.resource("broker");
        broker.startError = XAException.XAER_RMFAIL; // as Artemis answers on a connection the broker has just dropped
        f.tm.begin();
        f.tm.getTransaction().enlistResource(db);
        jakarta.transaction.SystemException failed = assertThrows(jakarta.transaction.SystemException.class,
                () -> f.tm.getTransaction().enlistResource(broker));
        assertTrue(failed.getMessage().contains("rollback-only"), failed.getMessage());
        assertEquals(Status.STATUS_MARKED_ROLLBACK, f.tm.getStatus());
        assertThrows(RollbackException.class, f.tm::commit); // what @Transactional does after a checked exception
        assertEquals(0, f.log.count("db.commit") + f.log.count("db.prepare"), f.log.toString());
        assertEquals(1, f.log.count("db.rollback"), f.log.toString());
        assertEquals(0, f.log.count("broker.rollback") + f.log.count("broker.end"), "the broker never started a branch: " + f.log);
    }

    @Test
    void aResourceThatIsNotJoinableGetsItsOwnBranch() throws Exception {
        ScriptedXAResource a1 = f.resource("a1");
        ScriptedXAResource a2 = f.resource("a2");
        a1.sameRM.add(a2);
        a2.sameRM.add(a1);
        a2.joinable = false;
        f.tm.begin();
        f.tm.getTransaction().enlistResource(a1);
        f.tm.getTransaction().enlistResource(a2);
        f.tm.commit();
        assertEquals(List.of("a1.start(TMNOFLAGS)", "a2.start(TMNOFLAGS)"), f.log.all().subList(0, 2));
        assertEquals(1, f.log.count("a2.prepare"));
    }

    @Test
    void aRefusedJoinFallsBackToABranchOfItsOwn() throws Exception {
        ScriptedXAResource a1 = f.resource("a1");
        ScriptedXAResource a2 = f.resource("a2");
        a1.sameRM.add(a2);
        a2.sameRM.add(a1);
        a2.startJoinError = XAException.XAER_INVAL; // as MariaDB answers XA START ... JOIN
        f.tm.begin();
        f.tm.getTransaction().enlistResource(a1);
        f.tm.getTransaction().enlistResource(a2);
        f.tm.commit();
        assertTrue(f.log.all().contains("a2.start(TMJOIN)"));
        assertTrue(f.log.all().contains("a2.start(TMNOFLAGS)"));
        assertEquals(1, f.log.count("a2.prepare"));
        assertEquals(1, f.log.count("a2.commit(false)"));
    }

    @Test
    void enlistingTheSameResourceTwiceIsHarmless() throws Exception {
        ScriptedXAResource a = f.resource("a");
        f.tm.begin();
        assertTrue(f.tm.getTransaction().enlistResource(a));
        assertTrue(f.tm.getTransaction().enlistResource(a));
        f.tm.commit();
        assertEquals(List.of("a.start(TMNOFLAGS)", "a.end(TMSUCCESS)", "a.commit(true)"), f.log.all());
    }

    @Test
    void suspendThenEnlistResumesTheBranch() throws Exception {
        ScriptedXAResource a = f.resource("a");
        f.tm.begin();
        Transaction t = f.tm.getTransaction();
        t.enlistResource(a);
        assertTrue(t.delistResource(a, XAResource.TMSUSPEND));
        t.enlistResource(a);
        f.tm.commit();
        assertEquals(List.of("a.start(TMNOFLAGS)", "a.end(TMSUSPEND)", "a.start(TMRESUME)", "a.end(TMSUCCESS)", "a.commit(true)"), f.log.all());
    }

    @Test
    void delistWithFailMarksRollbackOnly() throws Exception {
        ScriptedXAResource a = f.resource("a");
        f.tm.begin();
        Transaction t = f.tm.getTransaction();
        t.enlistResource(a);
        t.delistResource(a, XAResource.TMFAIL);
        assertEquals(Status.STATUS_MARKED_ROLLBACK, t.getStatus());
        assertThrows(RollbackException.class, f.tm::commit);
        assertEquals(1, f.log.count("a.rollback"));
        assertEquals(0, f.log.count("a.commit"));
    }

    @Test
    void associatedBranchesAreEndedBeforePrepare() throws Exception {
        ScriptedXAResource a = f.resource("a");
        ScriptedXAResource b = f.resource("b");
        f.tm.begin();
        f.tm.getTransaction().enlistResource(a);
        f.tm.getTransaction().enlistResource(b);
        f.tm.commit();
        assertTrue(f.log.indexOf("a.end(TMSUCCESS)") < f.log.indexOf("a.prepare"));
        assertTrue(f.log.indexOf("b.end(TMSUCCESS)") < f.log.indexOf("a.prepare"));
    }

    @Test
    void enlistingOrRegisteringOnARollbackOnlyTransactionThrowsRollbackException() throws Exception {
        f.tm.begin();
        Transaction t = f.tm.getTransaction();
        t.setRollbackOnly();
        assertThrows(RollbackException.class, () -> t.enlistResource(f.resource("a")));
        assertThrows(RollbackException.class, () -> t.registerSynchronization(new NoSync()));
        f.tm.rollback();
    }

    @Test
    void enlistingOrRegisteringOnACompletedTransactionThrowsIllegalState() throws Exception {
        f.tm.begin();
        Transaction t = f.tm.getTransaction();
        f.tm.commit();
        assertThrows(IllegalStateException.class, () -> t.enlistResource(f.resource("a")));
        assertThrows(IllegalStateException.class, () -> t.registerSynchronization(new NoSync()));
        assertFalse(f.log.all().contains("a.start(TMNOFLAGS)"));
    }

    @Test
    void aResourceManagerWhoseIsSameRMThrowsIsNotJoinedAndEachResourceGetsABranchOfItsOwn() throws Exception {
        ScriptedXAResource first = new ScriptedXAResource("first", f.log) {
            @Override
            public boolean isSameRM(XAResource other) throws XAException {
                throw new XAException(XAException.XAER_RMFAIL);
            }
        };
        ScriptedXAResource second = new ScriptedXAResource("second", f.log) {
            @Override
            public boolean isSameRM(XAResource other) {
                throw new IllegalStateException("connection closed");
            }
        };
        ScriptedXAResource third = f.resource("third");
        f.begin(first, second, third);
        f.tm.commit();
        assertEquals(List.of("first.start(TMNOFLAGS)", "second.start(TMNOFLAGS)", "third.start(TMNOFLAGS)"), f.log.all().subList(0, 3));
        assertEquals(3, f.journal.commits.get(0).branches().size());
        assertEquals(1, f.log.count("third.commit(false)"));
    }

    @Test
    void delistingAResourceThatWasNeverEnlistedThrowsIllegalState() throws Exception {
        Transaction t = f.begin(f.resource("a"));
        assertThrows(IllegalStateException.class, () -> t.delistResource(f.resource("stranger"), XAResource.TMSUCCESS));
        assertEquals(Status.STATUS_ACTIVE, t.getStatus());
        f.tm.commit();
        assertEquals(0, f.log.count("stranger."));
    }

    private static final class NoSync implements Synchronization {
        @Override
        public void beforeCompletion() {
        }

        @Override
        public void afterCompletion(int status) {
        }
    }
}
