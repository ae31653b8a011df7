package dev.pledge.tm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import jakarta.transaction.RollbackException;
import jakarta.transaction.Status;
import jakarta.transaction.Synchronization;
import jakarta.transaction.Transaction;
import jakarta.transaction.TransactionSynchronizationRegistry;
import java.util.List;
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
}
