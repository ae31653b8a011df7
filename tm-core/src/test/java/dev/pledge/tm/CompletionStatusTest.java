package dev.pledge.tm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import jakarta.transaction.RollbackException;
import jakarta.transaction.Status;
import jakarta.transaction.Synchronization;
import jakarta.transaction.SystemException;
import jakarta.transaction.Transaction;
import jakarta.transaction.TransactionSynchronizationRegistry;
import java.util.List;
import javax.transaction.xa.XAException;
import javax.transaction.xa.Xid;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The status a synchronization and a resource see in each phase of completion (jakarta.transaction.Status). */
class CompletionStatusTest {
    private final Fixture f = new Fixture();
    private final TransactionSynchronizationRegistry tsr = f.svc.synchronizationRegistry();

    @AfterEach
    void close() {
        f.close();
    }

    /** Writes the transaction's status into the call log at each XA call of completion. */
    private final class StatusReporting extends ScriptedXAResource {
        private Transaction tx;

        StatusReporting(String name) {
            super(name, f.log);
        }

        private void report(String call) {
            try {
                log.add(name + "." + call + " sees " + TransactionImpl.statusName(tx.getStatus()));
            } catch (SystemException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public void start(Xid xid, int flags) throws XAException {
            tx = ((TransactionManagerImpl) f.tm).current();
            super.start(xid, flags);
        }

        @Override
        public void end(Xid xid, int flags) throws XAException {
            report("end");
            super.end(xid, flags);
        }

        @Override
        public int prepare(Xid xid) throws XAException {
            report("prepare");
            return super.prepare(xid);
        }

        @Override
        public void commit(Xid xid, boolean onePhase) throws XAException {
            report("commit");
            super.commit(xid, onePhase);
        }

        @Override
        public void rollback(Xid xid) throws XAException {
            report("rollback");
            super.rollback(xid);
        }
    }

    /** Writes the thread's status (TransactionManager and registry) into the call log at each callback. */
    private Synchronization reporting(String name) {
        return new Synchronization() {
            @Override
            public void beforeCompletion() {
                f.log.add(name + ".before sees " + threadStatus());
            }

            @Override
            public void afterCompletion(int status) {
                f.log.add(name + ".after(" + TransactionImpl.statusName(status) + ") sees " + threadStatus());
            }
        };
    }

    private String threadStatus() {
        try {
            return TransactionImpl.statusName(f.tm.getStatus()) + "/" + TransactionImpl.statusName(tsr.getTransactionStatus());
        } catch (SystemException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void aTwoPhaseCommitIsActiveInBeforeCompletionPreparingInPrepareCommittingInPhaseTwoAndCommittedAfter() throws Exception {
        Transaction t = f.begin(new StatusReporting("a"), new StatusReporting("b"));
        t.registerSynchronization(reporting("regular"));
        tsr.registerInterposedSynchronization(reporting("interposed"));
        f.tm.commit();
        assertEquals(List.of("a.start(TMNOFLAGS)", "b.start(TMNOFLAGS)",
                "regular.before sees ACTIVE/ACTIVE", "interposed.before sees ACTIVE/ACTIVE",
                "a.end sees PREPARING", "a.end(TMSUCCESS)", "b.end sees PREPARING", "b.end(TMSUCCESS)",
                "a.prepare sees PREPARING", "a.prepare", "b.prepare sees PREPARING", "b.prepare", "journal.commit",
                "a.commit sees COMMITTING", "a.commit(false)", "b.commit sees COMMITTING", "b.commit(false)", "journal.completed",
                "interposed.after(COMMITTED) sees COMMITTED/COMMITTED", "regular.after(COMMITTED) sees COMMITTED/COMMITTED"), f.log.all());
        assertEquals(Status.STATUS_NO_TRANSACTION, f.tm.getStatus());
    }

    @Test
    void aOnePhaseCommitIsCommittingDuringTheCommit() throws Exception {
        f.begin(new StatusReporting("a"));
        f.tm.commit();
        assertEquals(List.of("a.start(TMNOFLAGS)", "a.end sees PREPARING", "a.end(TMSUCCESS)", "a.commit sees COMMITTING", "a.commit(true)"),
                f.log.all());
    }

    @Test
    void aRollbackIsRollingBackDuringTheRollbackAndRolledBackAfter() throws Exception {
        Transaction t = f.begin(new StatusReporting("a"));
        t.registerSynchronization(reporting("regular"));
        f.tm.rollback();
        assertEquals(List.of("a.start(TMNOFLAGS)", "a.end sees ROLLING_BACK", "a.end(TMFAIL)", "a.rollback sees ROLLING_BACK", "a.rollback",
                "regular.after(ROLLEDBACK) sees ROLLEDBACK/ROLLEDBACK"), f.log.all());
    }

    @Test
    void aNoVoteRollsBackWhileRollingBack() throws Exception {
        StatusReporting a = new StatusReporting("a");
        StatusReporting b = new StatusReporting("b");
        b.prepareError = XAException.XA_RBINTEGRITY;
        Transaction t = f.begin(a, b);
        t.registerSynchronization(reporting("regular"));
        assertThrows(RollbackException.class, f.tm::commit);
        assertEquals(List.of("a.rollback sees ROLLING_BACK", "a.rollback", "regular.after(ROLLEDBACK) sees ROLLEDBACK/ROLLEDBACK"),
                f.log.all().subList(f.log.indexOf("b.prepare") + 1, f.log.all().size()));
    }

    @Test
    void setRollbackOnlyInBeforeCompletionIsSeenAsMarkedRollbackAndEndsInARollback() throws Exception {
        Transaction t = f.begin(new StatusReporting("a"), new StatusReporting("b"));
        t.registerSynchronization(new Synchronization() {
            @Override
            public void beforeCompletion() {
                tsr.setRollbackOnly();
                f.log.add("marked: " + threadStatus() + ", rollback-only " + tsr.getRollbackOnly());
            }

            @Override
            public void afterCompletion(int status) {
            }
        });
        assertThrows(RollbackException.class, f.tm::commit);
        List<String> calls = f.log.all();
        assertEquals("marked: MARKED_ROLLBACK/MARKED_ROLLBACK, rollback-only true", calls.get(2));
        assertEquals(0, f.log.count("a.prepare"), calls.toString());
        assertEquals(1, f.log.count("a.rollback sees ROLLING_BACK"), calls.toString());
        assertEquals(1, f.log.count("b.rollback sees ROLLING_BACK"), calls.toString());
        assertEquals(Status.STATUS_ROLLEDBACK, t.getStatus());
        assertEquals(Status.STATUS_NO_TRANSACTION, f.tm.getStatus());
    }
}
