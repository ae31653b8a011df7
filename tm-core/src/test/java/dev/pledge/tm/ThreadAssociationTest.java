package dev.pledge.tm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import jakarta.transaction.HeuristicMixedException;
import jakarta.transaction.HeuristicRollbackException;
import jakarta.transaction.InvalidTransactionException;
import jakarta.transaction.NotSupportedException;
import jakarta.transaction.RollbackException;
import jakarta.transaction.Status;
import jakarta.transaction.Synchronization;
import jakarta.transaction.Transaction;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import javax.transaction.xa.XAException;
import javax.transaction.xa.XAResource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ThreadAssociationTest {
    private final Fixture f = new Fixture();

    @AfterEach
    void close() {
        f.close();
    }

    @Test
    void beginWhileAssociatedThrowsNotSupported() throws Exception {
        f.tm.begin();
        assertThrows(NotSupportedException.class, f.tm::begin);
        f.tm.rollback();
    }

    @Test
    void completingWithNothingAssociatedThrowsIllegalState() {
        assertThrows(IllegalStateException.class, f.tm::commit);
        assertThrows(IllegalStateException.class, f.tm::rollback);
        assertThrows(IllegalStateException.class, f.tm::setRollbackOnly);
    }

    @Test
    void outsideATransactionStatusIsNoTransactionAndThereIsNone() throws Exception {
        assertEquals(Status.STATUS_NO_TRANSACTION, f.tm.getStatus());
        assertNull(f.tm.getTransaction());
        assertNull(f.tm.suspend());
    }

    @Test
    void resumeWhileAnotherIsAssociatedThrowsIllegalState() throws Exception {
        f.tm.begin();
        Transaction first = f.tm.suspend();
        f.tm.begin();
        assertThrows(IllegalStateException.class, () -> f.tm.resume(first));
        f.tm.rollback();
        f.tm.resume(first);
        assertSame(first, f.tm.getTransaction());
        f.tm.commit();
    }

    @Test
    void resumeOfACompletedTransactionThrowsInvalidTransaction() throws Exception {
        f.tm.begin();
        Transaction t = f.tm.getTransaction();
        f.tm.commit();
        assertThrows(InvalidTransactionException.class, () -> f.tm.resume(t));
    }

    @Test
    void resumeOfAForeignTransactionThrowsInvalidTransaction() throws Exception {
        try (Fixture other = new Fixture()) {
            other.tm.begin();
            Transaction foreign = other.tm.suspend();
            assertThrows(InvalidTransactionException.class, () -> f.tm.resume(foreign));
            assertThrows(InvalidTransactionException.class, () -> f.tm.resume(new HandMade()));
            other.tm.resume(foreign);
            other.tm.rollback();
        }
    }

    @Test
    void associationIsPerThread() throws Exception {
        f.tm.begin();
        Transaction mine = f.tm.getTransaction();
        AtomicReference<Object> seen = new AtomicReference<>("unset");
        Thread t = new Thread(() -> {
            try {
                seen.set(f.tm.getTransaction());
                f.tm.begin();
                Transaction theirs = f.tm.getTransaction();
                assertNotEquals(mine, theirs);
                f.tm.commit();
            } catch (Exception e) {
                seen.set(e);
            }
        });
        t.start();
        t.join();
        assertNull(seen.get());
        assertSame(mine, f.tm.getTransaction());
        f.tm.commit();
    }

    @Test
    void aTransactionMayBeCommittedFromAnotherThread() throws Exception {
        ScriptedXAResource a = f.resource("a");
        ScriptedXAResource b = f.resource("b");
        f.tm.begin();
        Transaction t = f.tm.getTransaction();
        t.enlistResource(a);
        t.enlistResource(b);
        f.tm.suspend();
        commitOnAnotherThread(t);
        assertEquals(Status.STATUS_COMMITTED, t.getStatus());
        assertEquals(1, f.log.count("a.commit(false)"));
        assertEquals(1, f.log.count("b.commit(false)"));
        f.tm.begin(); // this thread is free again
        f.tm.rollback();
    }

    @Test
    void theThreadIsNoLongerAssociatedAfterACommitThatThrows() throws Exception {
        ScriptedXAResource a = f.resource("a");
        ScriptedXAResource b = f.resource("b");
        a.commitError = XAException.XA_HEURMIX;
        f.begin(a, b);
        assertThrows(HeuristicMixedException.class, f.tm::commit);
        assertEquals(Status.STATUS_NO_TRANSACTION, f.tm.getStatus());

        ScriptedXAResource c = f.resource("c");
        ScriptedXAResource d = f.resource("d");
        c.commitError = XAException.XA_HEURRB;
        d.commitError = XAException.XA_HEURRB;
        f.begin(c, d);
        assertThrows(HeuristicRollbackException.class, f.svc.userTransaction()::commit);
        assertEquals(Status.STATUS_NO_TRANSACTION, f.tm.getStatus());

        ScriptedXAResource e = f.resource("e");
        e.prepareError = XAException.XA_RBROLLBACK;
        f.begin(e, f.resource("g"));
        assertThrows(RollbackException.class, f.tm::commit);
        assertNull(f.tm.getTransaction());
    }

    /**
     * The Javadoc says only that an invalid transaction throws; the JTA specification (3.2.3) says that resuming one
     * that is not valid leaves the thread associated with no transaction, and Narayana's resume(null) does just that.
     */
    @Test
    void resumeOfNullLeavesTheThreadWithoutATransaction() throws Exception {
        f.tm.resume(null);
        assertEquals(Status.STATUS_NO_TRANSACTION, f.tm.getStatus());
        f.tm.begin(); // and it can begin one
        f.tm.rollback();
    }

    @Test
    void aThreadWhoseTransactionAnotherThreadCommittedMayBeginAgain() throws Exception {
        Transaction t = f.begin(f.resource("a"));
        commitOnAnotherThread(t);
        assertEquals(Status.STATUS_COMMITTED, f.tm.getStatus(), "still associated, with a committed transaction");
        assertThrows(IllegalStateException.class, f.tm::commit, "it cannot be committed twice");
        assertEquals(Status.STATUS_NO_TRANSACTION, f.tm.getStatus());
        f.tm.begin();
        f.tm.rollback();
    }

    private static void commitOnAnotherThread(Transaction t) throws Exception {
        CompletableFuture.runAsync(() -> {
            try {
                t.commit();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }).get();
    }

    /** A Transaction not made by any Pledge service. */
    private static final class HandMade implements Transaction {
        @Override
        public void commit() {
        }

        @Override
        public boolean delistResource(XAResource xaRes, int flag) {
            return false;
        }

        @Override
        public boolean enlistResource(XAResource xaRes) {
            return false;
        }

        @Override
        public int getStatus() {
            return Status.STATUS_ACTIVE;
        }

        @Override
        public void registerSynchronization(Synchronization sync) {
        }

        @Override
        public void rollback() {
        }

        @Override
        public void setRollbackOnly() {
        }
    }
}
