package dev.pledge.tm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.transaction.SystemException;
import java.nio.file.Path;
import java.time.Duration;
import javax.transaction.xa.XAException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/cluster.md, "Drain": with the file log, {@code drain} stops new transactions, waits for those
 * in flight and runs recovery passes (steps 1 to 3), and {@code close()} does not drain: it leaves
 * what is in doubt to recovery.
 */
class FileLogDrainTest {
    @TempDir
    Path tmp;
    private final CallLog calls = new CallLog();
    private final ScriptedXAResource a = new ScriptedXAResource("rm-a", calls);
    private final ScriptedXAResource b = new ScriptedXAResource("rm-b", calls);

    private TransactionService.Builder builder(String node) {
        return TransactionService.builder().nodeName(node).logDirectory(tmp.resolve("log")).nodeLockDirectory(tmp.resolve("claims"))
                .recoveryInterval(Duration.ZERO).drainTimeout(Duration.ofSeconds(30));
    }

    /** Commits a transaction whose phase two fails once on rm-b: its decision is left in the log for recovery. */
    private void commitLeavingADecisionInDoubt(TransactionService svc) throws Exception {
        b.commitError = XAException.XAER_RMFAIL;
        b.commitFailures = 1;
        svc.transactionManager().begin();
        svc.transactionManager().getTransaction().enlistResource(a);
        svc.transactionManager().getTransaction().enlistResource(b);
        svc.transactionManager().commit();
        assertEquals(1, svc.journal().pendingCommits().size(), "the decision waits for rm-b");
    }

    @Test
    void withTheFileLogDrainRefusesNewTransactionsAndFinishesWhatIsInDoubtWithNoLeaseToHandOver() throws Exception {
        try (TransactionService svc = builder("file-drain").recoveryResource("rm-a", () -> a).recoveryResource("rm-b", () -> b).build()) {
            commitLeavingADecisionInDoubt(svc);
            DrainResult result = svc.drain(Duration.ofSeconds(10));
            assertTrue(result.isClean(), result.toString());
            assertFalse(result.handedOver(), "the file log has no lease: " + result);
            assertTrue(b.prepared.isEmpty(), "the drain's recovery pass committed rm-b's branch");
            assertTrue(svc.journal().pendingCommits().isEmpty());
            SystemException refused = assertThrows(SystemException.class, () -> svc.transactionManager().begin());
            assertTrue(refused.getMessage().contains("draining"), refused.getMessage());
            assertEquals("none (file log)", svc.metrics().getLeaseState());
            assertFalse(svc.metrics().isLeaseHeld());
        }
    }

    @Test
    void aDrainWaitsForTheTransactionsInFlightToEndAndLetsThemCommit() throws Exception {
        try (TransactionService svc = builder("file-wait").build()) {
            java.util.concurrent.CountDownLatch begun = new java.util.concurrent.CountDownLatch(1);
            java.util.concurrent.CompletableFuture<Void> inFlight = java.util.concurrent.CompletableFuture.runAsync(() -> {
                try {
                    svc.transactionManager().begin();
                    svc.transactionManager().getTransaction().enlistResource(a);
                    svc.transactionManager().getTransaction().enlistResource(b);
                    begun.countDown();
                    Thread.sleep(300);
                    svc.transactionManager().commit();
                } catch (Exception e) {
                    throw new java.util.concurrent.CompletionException(e);
                }
            });
            assertTrue(begun.await(10, java.util.concurrent.TimeUnit.SECONDS));
            long t0 = System.nanoTime();
            DrainResult result = svc.drain(Duration.ofSeconds(10));
            assertTrue((System.nanoTime() - t0) / 1_000_000 >= 200, "the drain waited for the transaction in flight");
            assertTrue(result.isClean(), result.toString());
            inFlight.get(10, java.util.concurrent.TimeUnit.SECONDS); // it committed: a drain refuses new transactions, not running ones
            assertEquals(1, calls.count("rm-a.commit"), calls.toString());
            assertEquals(1, calls.count("rm-b.commit"), calls.toString());
        }
    }

    @Test
    void closingAServiceOnTheFileLogDoesNotDrainItLeavesWhatIsInDoubtToRecovery() throws Exception {
        TransactionService svc = builder("file-close").recoveryResource("rm-a", () -> a).recoveryResource("rm-b", () -> b).build();
        commitLeavingADecisionInDoubt(svc);
        svc.transactionManager().begin(); // still running at close: a drain would wait for it up to drainTimeout (30 s)
        long t0 = System.nanoTime();
        svc.close();
        long tookMillis = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(tookMillis < 10_000, "close() did not wait for the transaction in flight: " + tookMillis + " ms");
        assertEquals(1, b.prepared.size(), "close() ran no recovery pass: rm-b's branch is still prepared");
        try (TransactionService again = builder("file-close").build()) {
            assertEquals(1, again.journal().pendingCommits().size(), "the decision is still in the log for recovery");
        }
    }
}
