package dev.pledge.tm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import jakarta.transaction.RollbackException;
import jakarta.transaction.Status;
import jakarta.transaction.Synchronization;
import jakarta.transaction.SystemException;
import jakarta.transaction.Transaction;
import jakarta.transaction.TransactionSynchronizationRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SynchronizationTest {
    private final Fixture f = new Fixture();
    private final TransactionSynchronizationRegistry tsr = f.svc.synchronizationRegistry();

    @AfterEach
    void close() {
        f.close();
    }

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

    @Test
    void regularThenInterposedBeforeCompletionThenTwoPhaseThenInterposedThenRegularAfterCompletion() throws Exception {
        ScriptedXAResource a = f.resource("a");
        ScriptedXAResource b = f.resource("b");
        f.tm.begin();
        Transaction t = f.tm.getTransaction();
        t.enlistResource(a);
        t.registerSynchronization(sync("regular", () -> { }));
        tsr.registerInterposedSynchronization(sync("interposed", () -> { }));
        f.tm.commit();
        int c = Status.STATUS_COMMITTED;
        assertEquals(List.of("a.start(TMNOFLAGS)", "regular.before", "interposed.before", "a.end(TMSUCCESS)", "a.commit(true)",
                "interposed.after(" + c + ")", "regular.after(" + c + ")"), f.log.all());
        assertEquals(0, b.started.size());
    }

    @Test
    void anInterposedSynchronizationRegisteredAfterSetRollbackOnlyRunsOnlyAfterCompletion() throws Exception {
        f.tm.begin();
        f.tm.setRollbackOnly();
        tsr.registerInterposedSynchronization(sync("late", () -> { }));
        assertThrows(RollbackException.class, () -> f.tm.getTransaction().registerSynchronization(sync("regular", () -> { })));
        f.tm.rollback();
        assertEquals(List.of("late.after(" + Status.STATUS_ROLLEDBACK + ")"), f.log.all());
    }

    @Test
    void aSynchronizationMayEnlistAndRegisterMoreDuringBeforeCompletion() throws Exception {
        ScriptedXAResource a = f.resource("a");
        ScriptedXAResource late = f.resource("late");
        f.tm.begin();
        Transaction t = f.tm.getTransaction();
        t.enlistResource(a);
        t.registerSynchronization(sync("flush", () -> {
            try {
                t.enlistResource(late);
                tsr.registerInterposedSynchronization(sync("added", () -> { }));
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        }));
        f.tm.commit();
        List<String> calls = f.log.all();
        assertEquals(1, f.log.count("late.prepare"), calls.toString());
        assertEquals(1, f.log.count("late.commit(false)"), calls.toString());
        assertEquals(1, f.log.count("added.before"), calls.toString());
        assertEquals(1, f.log.count("added.after"), calls.toString());
        assertEquals(1, f.journal.commits.size());
    }

    @Test
    void aThrowingBeforeCompletionRollsBack() throws Exception {
        ScriptedXAResource a = f.resource("a");
        ScriptedXAResource b = f.resource("b");
        f.tm.begin();
        Transaction t = f.tm.getTransaction();
        t.enlistResource(a);
        t.enlistResource(b);
        t.registerSynchronization(sync("bad", () -> {
            throw new IllegalStateException("flush failed");
        }));
        RollbackException e = assertThrows(RollbackException.class, f.tm::commit);
        assertEquals("flush failed", e.getCause().getMessage());
        assertEquals(1, f.log.count("a.rollback"));
        assertEquals(1, f.log.count("b.rollback"));
        assertEquals(0, f.log.count("a.prepare"));
        assertEquals(1, f.log.count("bad.after(" + Status.STATUS_ROLLEDBACK + ")"));
    }

    @Test
    void aThrowingAfterCompletionChangesNothing() throws Exception {
        ScriptedXAResource a = f.resource("a");
        f.tm.begin();
        Transaction t = f.tm.getTransaction();
        t.enlistResource(a);
        t.registerSynchronization(new Synchronization() {
            @Override
            public void beforeCompletion() {
            }

            @Override
            public void afterCompletion(int status) {
                throw new IllegalStateException("listener bug");
            }
        });
        f.tm.commit();
        assertEquals(Status.STATUS_COMMITTED, t.getStatus());
        assertEquals(1, f.log.count("a.commit(true)"));
    }

    /** The calling thread's transaction, through the public API. */
    private Transaction associated() {
        try {
            return f.tm.getTransaction();
        } catch (SystemException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void anInterposedSynchronizationMayRegisterAnotherDuringTheInterposedBeforeCompletions() throws Exception {
        f.tm.begin();
        f.tm.getTransaction().registerSynchronization(sync("regular", () -> { }));
        tsr.registerInterposedSynchronization(sync("first", () -> tsr.registerInterposedSynchronization(sync("added", () -> { }))));
        f.tm.commit();
        int c = Status.STATUS_COMMITTED;
        assertEquals(List.of("regular.before", "first.before", "added.before", "first.after(" + c + ")", "added.after(" + c + ")",
                "regular.after(" + c + ")"), f.log.all());
    }

    /**
     * The registry promises an interposed beforeCompletion after every one registered with the Transaction: a regular
     * synchronization registered once the interposed ones have begun could only break that order, so it is refused (as
     * Narayana does; the Javadoc does not say which exception, Narayana throws IllegalStateException).
     */
    @Test
    void aRegularSynchronizationRegisteredDuringTheInterposedBeforeCompletionsIsRefused() throws Exception {
        f.tm.begin();
        Transaction t = f.tm.getTransaction();
        List<Exception> refused = new ArrayList<>();
        tsr.registerInterposedSynchronization(sync("interposed", () -> {
            try {
                t.registerSynchronization(sync("late", () -> { }));
            } catch (Exception e) {
                refused.add(e);
            }
        }));
        f.tm.commit();
        assertEquals(1, refused.size(), f.log.toString());
        assertInstanceOf(IllegalStateException.class, refused.get(0));
        assertEquals(List.of("interposed.before", "interposed.after(" + Status.STATUS_COMMITTED + ")"), f.log.all());
    }

    /** Synchronization.beforeCompletion: "executed with the transaction context of the transaction that is being committed". */
    @Test
    void beforeCompletionRunsInTheTransactionsContextWhenAnotherThreadCommitsIt() throws Exception {
        ScriptedXAResource a = f.resource("a");
        Transaction t = f.begin(a);
        List<Object> seen = new ArrayList<>();
        t.registerSynchronization(sync("regular", () -> seen.add(tsr.getTransactionKey())));
        tsr.registerInterposedSynchronization(sync("interposed", () -> {
            try {
                seen.add(f.tm.getTransaction());
                tsr.putResource("flushed", true);
                f.tm.getTransaction().enlistResource(f.resource("late"));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }));
        Object key = tsr.getTransactionKey();
        f.tm.suspend();
        CompletableFuture.runAsync(() -> {
            try {
                t.commit();
                seen.add(f.tm.getTransaction());
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }).get();
        assertEquals(Status.STATUS_COMMITTED, t.getStatus(), f.log.toString());
        assertEquals(key, seen.get(0));
        assertSame(t, seen.get(1));
        assertEquals(null, seen.get(2), "the committing thread is left as it was: associated with nothing");
        assertEquals(1, f.log.count("late.commit(false)"), f.log.toString());
    }

    @Test
    void committingASuspendedTransactionRunsBeforeCompletionInItsContextAndGivesTheThreadItsOwnBack() throws Exception {
        f.tm.begin();
        Transaction suspended = f.tm.getTransaction();
        List<Object> seen = new ArrayList<>();
        suspended.registerSynchronization(sync("regular", () -> seen.add(associated())));
        f.tm.suspend();
        f.tm.begin();
        Transaction current = f.tm.getTransaction();
        suspended.commit();
        assertEquals(List.of(suspended), seen);
        assertSame(current, f.tm.getTransaction());
        f.tm.commit();
        assertEquals(Status.STATUS_NO_TRANSACTION, f.tm.getStatus());
    }
}
