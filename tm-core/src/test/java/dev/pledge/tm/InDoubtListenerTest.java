package dev.pledge.tm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.transaction.Status;
import jakarta.transaction.Synchronization;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.transaction.xa.XAException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The transaction manager tells registered listeners of branches left to recovery, and when recovery completes them. */
class InDoubtListenerTest {
    final Fixture f = new Fixture();
    final List<String> events = new CopyOnWriteArrayList<>();
    final List<byte[]> gtrids = new CopyOnWriteArrayList<>();

    @AfterEach
    void close() {
        f.close();
    }

    private InDoubtListener recording() {
        return new InDoubtListener() {
            @Override
            public void leftToRecovery(byte[] gtrid) {
                events.add("left");
                gtrids.add(gtrid);
            }

            @Override
            public void completedByRecovery(byte[] gtrid) {
                events.add("completed");
                gtrids.add(gtrid);
            }
        };
    }

    @Test
    void aBranchLeftToRecoveryIsToldBeforeAfterCompletionAndItsCompletionByRecoveryAfter() throws Exception {
        ((InDoubtListeners) f.tm).addInDoubtListener(recording());
        ScriptedXAResource a = f.resource("a");
        ScriptedXAResource b = f.resource("b");
        a.commitError = XAException.XAER_RMFAIL;
        a.commitFailures = 1;
        f.svc.recovery().register("a", () -> a);
        f.svc.recovery().register("b", () -> b);
        f.begin(a, b).registerSynchronization(new Synchronization() {
            @Override
            public void beforeCompletion() {
            }

            @Override
            public void afterCompletion(int status) {
                events.add("afterCompletion " + (status == Status.STATUS_COMMITTED ? "committed" : status));
            }
        });
        byte[] gtrid = f.tm.getTransaction() instanceof TransactionImpl t ? t.gtrid.bytes() : null;
        f.tm.commit();
        assertEquals(List.of("left", "afterCompletion committed"), events);

        RecoveryReport report = f.svc.recovery().runPass();
        assertEquals(1, report.committed(), report.toString());
        assertEquals(List.of("left", "afterCompletion committed", "completed"), events);
        assertArrayEquals(gtrid, gtrids.get(0));
        assertArrayEquals(gtrid, gtrids.get(1));
    }

    @Test
    void aTransactionWhoseBranchesAllCommittedTellsNothing() throws Exception {
        ((InDoubtListeners) f.tm).addInDoubtListener(recording());
        f.begin(f.resource("a"), f.resource("b"));
        f.tm.commit();
        assertTrue(f.svc.recovery().runPass().isClean());
        assertEquals(List.of(), events);
    }
}
