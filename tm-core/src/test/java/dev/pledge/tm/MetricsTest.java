package dev.pledge.tm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import jakarta.transaction.HeuristicMixedException;
import jakarta.transaction.Status;
import jakarta.transaction.TransactionManager;
import java.io.File;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import javax.transaction.xa.XAException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The counters after real transactions on a real (forced) log, read the two ways operators read
 * them: JMX attributes from the platform MBean server, and Micrometer meters from the binder.
 */
class MetricsTest {
    private static final String NODE = "cli-metrics";
    private static final int THREADS = 8;
    private static final int PER_THREAD = 20;

    @TempDir
    Path tmp;

    @Test
    void countersMatchRealTransactionsInJmxAndMicrometer() throws Exception {
        try (TransactionService svc = TransactionService.builder().nodeName(NODE).logDirectory(tmp.resolve("log"))
                .recoveryInterval(Duration.ZERO).build()) {
            TransactionManager tm = svc.transactionManager();
            CallLog log = new CallLog();
            long forcesAtStart = svc.metrics().getLogForces();
            for (int i = 0; i < 3; i++) {
                twoPhase(tm, log, 0);
            }
            assertEquals(forcesAtStart + 3, svc.metrics().getLogForces(), "one force per lone two-phase commit");
            tm.begin(); // one phase: no decision, no force
            tm.getTransaction().enlistResource(new ScriptedXAResource("only", log));
            tm.commit();
            for (int i = 0; i < 2; i++) {
                tm.begin();
                tm.getTransaction().enlistResource(new ScriptedXAResource("a", log));
                tm.rollback();
            }
            assertThrows(HeuristicMixedException.class, () -> twoPhase(tm, log, XAException.XA_HEURRB));
            tm.setTransactionTimeout(1);
            tm.begin();
            tm.getTransaction().enlistResource(new ScriptedXAResource("slow", log));
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (tm.getStatus() != Status.STATUS_ROLLEDBACK && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            tm.rollback();
            tm.setTransactionTimeout(0);
            concurrentTwoPhase(tm, log);

            long decisions = 3 + 1 + THREADS * PER_THREAD;
            long begun = 3 + 1 + 2 + 1 + 1 + THREADS * PER_THREAD;
            long committed = 3 + 1 + THREADS * PER_THREAD;
            long forces = svc.metrics().getLogForces();
            assertTrue(forces >= forcesAtStart + 3 + 1 + 1 && forces <= forcesAtStart + decisions, "forces: " + forces);

            MBeanServer jmx = ManagementFactory.getPlatformMBeanServer();
            ObjectName name = new ObjectName("dev.pledge:type=TransactionService,node=" + ObjectName.quote(NODE));
            assertEquals(begun, jmx.getAttribute(name, "Begun"));
            assertEquals(committed, jmx.getAttribute(name, "Committed"));
            assertEquals(3L, jmx.getAttribute(name, "RolledBack"), "two rollbacks and the timed-out one");
            assertEquals(1L, jmx.getAttribute(name, "TimedOut"));
            assertEquals(1L, jmx.getAttribute(name, "Heuristic"));
            assertEquals(decisions, jmx.getAttribute(name, "DecisionsLogged"));
            assertEquals(forces, jmx.getAttribute(name, "LogForces"));
            assertEquals((double) decisions / forces, (double) jmx.getAttribute(name, "AverageGroupCommitBatch"), 1e-9);
            assertEquals(0, jmx.getAttribute(name, "ActiveTransactions"));

            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            new PledgeMeterBinder(svc).bindTo(registry);
            assertEquals(begun, outcome(registry, "begun"));
            assertEquals(committed, outcome(registry, "committed"));
            assertEquals(3.0, outcome(registry, "rolled_back"));
            assertEquals(1.0, outcome(registry, "timed_out"));
            assertEquals(1.0, outcome(registry, "heuristic"));
            assertEquals(forces, registry.get("pledge.log.forces").tag("node", NODE).functionCounter().count());
            assertEquals((double) decisions / forces, registry.get("pledge.log.group.commit.batch").tag("node", NODE).gauge().value(), 1e-9);
            twoPhase(tm, log, 0);
            assertEquals(committed + 1, outcome(registry, "committed"), "meters read the live counters");
        }
    }

    @Test
    void serviceRunsAndReportsThroughJmxWithoutMicrometerOnTheClassPath() throws Exception {
        String classPath = Stream.of(TransactionService.class, NoMicrometerChild.class, jakarta.transaction.Transaction.class,
                        org.slf4j.LoggerFactory.class, org.slf4j.simple.SimpleLogger.class)
                .map(MetricsTest::location)
                .distinct().collect(Collectors.joining(File.pathSeparator));
        assertTrue(!classPath.contains("micrometer"), classPath);
        ChildJvm.Result r = ChildJvm.run(classPath, tmp.resolve("out"), 60, NoMicrometerChild.class, tmp.resolve("log").toString());
        assertEquals(0, r.exitCode(), r.output());
        assertTrue(r.output().contains("no Micrometer"), r.output());
        assertTrue(r.output().contains("committed via JMX: 1"), r.output());
    }

    private static String location(Class<?> c) {
        try {
            return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static double outcome(SimpleMeterRegistry registry, String outcome) {
        return registry.get("pledge.transactions").tags("node", NODE, "outcome", outcome).functionCounter().count();
    }

    private static void twoPhase(TransactionManager tm, CallLog log, int secondCommitError) throws Exception {
        tm.begin();
        tm.getTransaction().enlistResource(new ScriptedXAResource("a", log));
        ScriptedXAResource b = new ScriptedXAResource("b", log);
        b.commitError = secondCommitError;
        tm.getTransaction().enlistResource(b);
        tm.commit();
    }

    private static void concurrentTwoPhase(TransactionManager tm, CallLog log) throws Exception {
        List<Thread> threads = new ArrayList<>();
        List<Throwable> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            Thread th = new Thread(() -> {
                try {
                    for (int i = 0; i < PER_THREAD; i++) {
                        twoPhase(tm, log, 0);
                    }
                } catch (Throwable e) {
                    failures.add(e);
                }
            });
            threads.add(th);
            th.start();
        }
        for (Thread th : threads) {
            th.join();
        }
        assertTrue(failures.isEmpty(), failures.toString());
    }
}
