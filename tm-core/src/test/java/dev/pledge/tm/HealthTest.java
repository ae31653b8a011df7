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
import jakarta.transaction.HeuristicMixedException;
import jakarta.transaction.SystemException;
import jakarta.transaction.TransactionManager;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import javax.transaction.xa.XAException;
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

            // a recovery pass cannot run on a log that cannot say what is pending: it is recorded as the last pass, failed
            RuntimeException failed = assertThrows(RuntimeException.class, svc.recovery()::runPass);
            Health.RecoveryPass last = svc.health().lastRecoveryPass();
            assertFalse(last.isClean());
            assertTrue(last.report().problems().toString().contains("the pass failed") && last.report().problems().toString()
                    .contains(failed.getMessage()), last.report().problems().toString());
            assertFalse(svc.metrics().isLastRecoveryPassClean());
        }
    }

    @Test
    void aTransactionInFlightIsCountedWithTheAgeOfTheOldest() throws Exception {
        try (TransactionService svc = builder("health-inflight").build()) {
            TransactionManager tm = svc.transactionManager();
            CountDownLatch release = new CountDownLatch(1);
            Thread t = inFlight(tm, release);
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

    /**
     * docs/operations.md's gauges and JMX attributes, by name, on a service with one decision in doubt (its
     * resource unreachable for recovery), one heuristic outcome and one transaction in flight: each reads the
     * figure of {@link Health}.
     */
    @Test
    void everyDocumentedGaugeAndJmxAttributeReadsTheFiguresOfHealth() throws Exception {
        String node = "health-gauges";
        try (TransactionService svc = builder(node).build()) {
            TransactionManager tm = svc.transactionManager();
            CallLog calls = new CallLog();
            ScriptedXAResource orders = new ScriptedXAResource("orders", calls);
            orders.commitError = XAException.XAER_RMFAIL; // decided, its branch left to recovery: in doubt
            tm.begin();
            tm.getTransaction().enlistResource(orders);
            tm.getTransaction().enlistResource(new ScriptedXAResource("stock", calls));
            tm.commit();
            ScriptedXAResource audit = new ScriptedXAResource("audit", calls);
            audit.commitError = XAException.XA_HEURMIX; // kept in the log for an operator
            tm.begin();
            tm.getTransaction().enlistResource(audit);
            tm.getTransaction().enlistResource(new ScriptedXAResource("stock", calls));
            assertThrows(HeuristicMixedException.class, tm::commit);
            svc.recovery().register("orders", () -> {
                throw new IllegalStateException("connection refused");
            });
            RecoveryReport pass = svc.recovery().runPass();
            assertTrue(pass.pending() >= 1, pass.toString());

            CountDownLatch release = new CountDownLatch(1);
            Thread inFlight = inFlight(tm, release);
            try {
                Thread.sleep(1_100);
                Health h = svc.health();
                assertEquals(1, h.inDoubtDecisions(), h.summary());
                assertEquals(1, h.heuristicOutcomes(), h.summary());
                assertEquals(1, h.inFlight(), h.summary());

                SimpleMeterRegistry registry = new SimpleMeterRegistry();
                new PledgeMeterBinder(svc).bindTo(registry);
                Map<String, Double> gauges = Map.of("pledge.log.usable", 1.0, "pledge.node.fenced", 0.0, "pledge.heuristics.pending", 1.0,
                        "pledge.recovery.last.pending", (double) pass.pending(), "pledge.recovery.last.clean", 0.0, "pledge.lease.held", 0.0,
                        "pledge.cluster.adopted.nodes", 0.0, "pledge.cluster.adopted.indoubt", 0.0, "pledge.transactions.active", 1.0,
                        "pledge.decisions.pending", 1.0);
                gauges.forEach((name, value) -> assertEquals(value, registry.get(name).tag("node", node).gauge().value(), name));
                double age = registry.get("pledge.transactions.oldest.age").tag("node", node).gauge().value();
                assertTrue(age >= 1.0 && age < 60, "seconds: " + age);
                assertEquals(0.0, registry.get("pledge.cluster.adoptions").tag("node", node).functionCounter().count());

                MBeanServer jmx = ManagementFactory.getPlatformMBeanServer();
                ObjectName name = new ObjectName("dev.pledge:type=TransactionService,node=" + ObjectName.quote(node));
                Map<String, Object> attributes = Map.of("LogUsable", true, "Fenced", false, "HeuristicOutcomesAwaitingOperator", 1,
                        "LastRecoveryPassTime", h.lastRecoveryPass().finishedAt().toEpochMilli(), "LastRecoveryPassClean", false,
                        "LastRecoveryPassPending", pass.pending(), "PendingDecisions", 1, "ActiveTransactions", 1, "LeaseHeld", false,
                        "AdoptedNodes", 0);
                attributes.forEach((attribute, value) -> {
                    try {
                        assertEquals(value, jmx.getAttribute(name, attribute), attribute);
                    } catch (javax.management.JMException e) {
                        throw new AssertionError(attribute, e);
                    }
                });
                assertTrue((long) jmx.getAttribute(name, "OldestTransactionAgeMillis") >= 1_000);
            } finally {
                release.countDown();
                inFlight.join(10_000);
            }
        }
    }

    @Test
    void aClosedServicesHealthIsDownSayingTheLogIsClosed() {
        TransactionService svc = builder("health-closed").build();
        svc.close();
        Health h = svc.health();
        assertFalse(h.isUp());
        assertTrue(h.logProblem().contains("closed"), h.logProblem());
    }

    @Test
    void aMissingLogDirectoryMakesHealthDownNamingItUntilItIsBack() throws Exception {
        try (TransactionService svc = builder("health-dir").build()) {
            Path log = tmp.resolve("log");
            Path aside = tmp.resolve("log-aside");
            Files.move(log, aside);
            Health h = svc.health();
            assertFalse(h.isUp());
            assertTrue(h.logProblem().contains(log.toString()) && h.logProblem().contains("missing or not writable"), h.logProblem());
            assertFalse(svc.metrics().isLogUsable());
            Files.move(aside, log);
            assertTrue(svc.health().isUp(), svc.health().summary());
        }
    }

    /** A thread that begins a transaction, holds it until {@code release}, then rolls it back; returned once it has begun. */
    private static Thread inFlight(TransactionManager tm, CountDownLatch release) throws InterruptedException {
        CountDownLatch begun = new CountDownLatch(1);
        Thread t = new Thread(() -> {
            try {
                tm.begin();
                begun.countDown();
                release.await();
                tm.rollback();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        t.start();
        assertTrue(begun.await(10, TimeUnit.SECONDS), "the transaction began");
        return t;
    }
}
