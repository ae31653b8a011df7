package dev.pledge.tm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import jakarta.transaction.InvalidTransactionException;
import jakarta.transaction.NotSupportedException;
import jakarta.transaction.Status;
import jakarta.transaction.Synchronization;
import jakarta.transaction.Transaction;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
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
        CompletableFuture.runAsync(() -> {
            try {
                t.commit();
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        }).get();
        assertEquals(Status.STATUS_COMMITTED, t.getStatus());
        assertEquals(1, f.log.count("a.commit(false)"));
        assertEquals(1, f.log.count("b.commit(false)"));
        f.tm.begin(); // this thread is free again
        f.tm.rollback();
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
