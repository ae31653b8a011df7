package dev.pledge.tm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pledge.tm.log.file.FaultyChannels;
import dev.pledge.tm.log.file.FileJournals;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import jakarta.transaction.SystemException;
import jakarta.transaction.TransactionManager;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link TransactionService#health()} and the same figures in JMX and Micrometer. */
class HealthTest {
    @TempDir
    Path tmp;

    private TransactionService.Builder builder(String node) {
        return TransactionService.builder().nodeName(node).logDirectory(tmp.resolve("log")).recoveryInterval(Duration.ZERO);
    }

    @Test
    void aHealthyServiceIsUpWithNothingInDoubtAndACleanFirstPass() {
        try (TransactionService svc = builder("health-up").build()) {
            Health h = svc.health();
            assertTrue(h.isUp());
            assertTrue(h.logUsable());
            assertNull(h.logProblem());
            assertFalse(h.fenced());
            assertEquals(0, h.inDoubtDecisions());
            assertEquals(0, h.heuristicOutcomes());
            assertEquals(0, h.inFlight());
            assertEquals(Duration.ZERO, h.oldestInFlight());
            assertNotNull(h.lastRecoveryPass(), "build() runs a first pass");
            assertTrue(h.lastRecoveryPass().isClean());
            assertTrue(svc.metrics().isLogUsable());
        }
    }

    @Test
    void aFailedForceMakesHealthDownWithTheCauseAndNeverThrows() throws Exception {
        FaultyChannels faulty = new FaultyChannels();
        FileResourceManager a = new FileResourceManager("rm-a", tmp.resolve("rm-a"));
        FileResourceManager b = new FileResourceManager("rm-b", tmp.resolve("rm-b"));
        try (TransactionService svc = builder("health-failed")
                .journal(c -> FileJournals.open(c.logDirectory(), true, FileJournals.DEFAULT_SEGMENT_BYTES, faulty)).build()) {
            TransactionManager tm = svc.transactionManager();
            faulty.failForce = true;
            assertThrows(SystemException.class, () -> {
                FileResourceManager.Connection ca = a.connect();
                FileResourceManager.Connection cb = b.connect();
                tm.begin();
                tm.getTransaction().enlistResource(ca);
                tm.getTransaction().enlistResource(cb);
                ca.write("x");
                cb.write("x");
                tm.commit();
            });
            Health h = svc.health(); // the journal's pendingCommits() throws now: health reports it instead
            assertFalse(h.isUp());
            assertFalse(h.logUsable());
            assertTrue(h.logProblem().contains("failed") && h.logProblem().contains("injected"), h.logProblem());
            assertEquals(-1, h.inDoubtDecisions(), "the log cannot tell what is pending after an unknown outcome");
            assertEquals(-1, h.heuristicOutcomes());
            assertFalse(svc.metrics().isLogUsable());
            assertEquals(-1, svc.metrics().getPendingDecisions());
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            new PledgeMeterBinder(svc).bindTo(registry);
            assertEquals(0.0, registry.get("pledge.log.usable").gauge().value());
        }
    }

    @Test
    void aTransactionInFlightIsCountedWithTheAgeOfTheOldest() throws Exception {
        try (TransactionService svc = builder("health-inflight").build()) {
            TransactionManager tm = svc.transactionManager();
            CountDownLatch begun = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            Thread t = new Thread(() -> {
                try {
                    tm.begin();
                    begun.countDown();
                    release.await();
                    tm.rollback();
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            t.start();
            assertTrue(begun.await(10, TimeUnit.SECONDS));
            Thread.sleep(120);
            Health h = svc.health();
            assertEquals(1, h.inFlight());
            assertTrue(h.oldestInFlight().toMillis() >= 100, h.oldestInFlight().toString());
            assertTrue(h.oldestInFlight().toMillis() < 60_000, h.oldestInFlight().toString());
            assertTrue(svc.metrics().getOldestTransactionAgeMillis() >= 100);
            release.countDown();
            t.join(10_000);
            Health after = svc.health();
            assertEquals(0, after.inFlight());
            assertEquals(Duration.ZERO, after.oldestInFlight());
        }
    }

    @Test
    void theLastRecoveryPassReportsAnUnreachableResourceAsPending() {
        try (TransactionService svc = builder("health-recovery").build()) {
            svc.recovery().register("broken-rm", () -> {
                throw new IllegalStateException("connection refused");
            });
            RecoveryReport report = svc.recovery().runPass();
            Health.RecoveryPass last = svc.health().lastRecoveryPass();
            assertEquals(report, last.report());
            assertFalse(last.isClean());
            assertTrue(last.report().problems().toString().contains("broken-rm"), last.report().problems().toString());
            assertFalse(svc.metrics().isLastRecoveryPassClean());
            assertEquals(last.finishedAt().toEpochMilli(), svc.metrics().getLastRecoveryPassTime());
            assertTrue(svc.health().isUp(), "a resource recovery cannot reach does not make the log unusable");
        }
    }
}
