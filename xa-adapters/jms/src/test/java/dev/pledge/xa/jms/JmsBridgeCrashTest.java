package dev.pledge.xa.jms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pledge.tm.RecoveryReport;
import dev.pledge.tm.TransactionService;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bridge runs in a child JVM that is killed (kill -9) at random moments while it forwards,
 * and restarted with the same Pledge log and node name; the target broker is restarted once
 * mid-run. At the end every message is on the target exactly once and the source is empty. Runs
 * once committing each batch before the next and once pipelined (four batches in flight, so a kill
 * leaves several in doubt at once).
 */
class JmsBridgeCrashTest {
    private static final Logger log = LoggerFactory.getLogger(JmsBridgeCrashTest.class);
    private static final int MESSAGES = 10_000;
    private static final int KILLS = 20;
    /**
     * The source is topped up with this many more messages whenever fewer than {@link #LOW} are left
     * before a run: a fast bridge (pipelined, on a quiet machine) would otherwise drain it before the
     * last kills, which must come while it forwards.
     */
    private static final int TOP_UP = 5_000;
    private static final int LOW = 2_000;
    private static final String NODE = "crash-bridge-node";

    @TempDir
    Path tmp;

    TestBroker source;
    TestBroker target;
    Process child;

    @AfterEach
    void tearDown() throws Exception {
        if (child != null) {
            child.destroyForcibly().waitFor();
        }
        if (source != null) {
            source.close();
        }
        if (target != null) {
            target.close();
        }
    }

    private Process startChild(Path logDir, int run, int pipelineDepth) throws IOException {
        Path out = tmp.resolve("child-" + run + ".out");
        return ChildJvm.builder(BridgeChild.class, logDir.toString(), NODE, source.url(), target.url(), "20", String.valueOf(pipelineDepth))
                .redirectOutput(out.toFile()).start();
    }

    private boolean awaitOutput(int run, String text, Duration max) throws IOException, InterruptedException {
        return awaitOutput(run, Pattern.compile(Pattern.quote(text)), max);
    }

    private boolean awaitOutput(int run, Pattern pattern, Duration max) throws IOException, InterruptedException {
        Path out = tmp.resolve("child-" + run + ".out");
        long deadline = System.nanoTime() + max.toNanos();
        while (System.nanoTime() < deadline) {
            if (Files.exists(out) && pattern.matcher(Files.readString(out)).find()) {
                return true;
            }
            if (!child.isAlive()) {
                throw new AssertionError("bridge child " + run + " exited with " + child.exitValue() + ":\n" + Files.readString(out));
            }
            Thread.sleep(10);
        }
        return false;
    }

    @ParameterizedTest(name = "pipeline depth {0}")
    @ValueSource(ints = {1, 4})
    void killedAndRestartedBridgeDeliversEveryMessageExactlyOnce(int pipelineDepth) throws Exception {
        long started = System.nanoTime();
        source = TestBroker.start("source", tmp.resolve("source"));
        target = TestBroker.start("target", tmp.resolve("target"));
        Messages.send(Messages.plain(source), "in", 0, MESSAGES);
        Path logDir = tmp.resolve("pledge-log");
        long seed = System.nanoTime();
        Random random = new Random(seed);
        log.info("crash test seed {}", seed);

        int killsWhileForwarding = 0;
        boolean brokerRestarted = false;
        int run = 0;
        int sent = MESSAGES;
        while (killsWhileForwarding < KILLS) {
            if (source.messageCount("in") < LOW) {
                Messages.send(Messages.plain(source), "in", sent, TOP_UP);
                sent += TOP_UP;
                log.info("source topped up to {} messages sent in all", sent);
            }
            child = startChild(logDir, run, pipelineDepth);
            assertTrue(awaitOutput(run, "FORWARDING", Duration.ofSeconds(60)), "bridge child " + run + " never forwarded a batch");
            if (!brokerRestarted && run == KILLS / 2) {
                Thread.sleep(random.nextInt(200));
                target.restart();
                brokerRestarted = true;
                log.info("target broker restarted under running bridge {}", run);
                assertTrue(awaitOutput(run, Pattern.compile("failures=[1-9]"), Duration.ofSeconds(15)),
                        "the running bridge should notice the broker restart");
            }
            Thread.sleep(random.nextInt(250));
            long left = source.messageCount("in");
            child.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            child = null;
            assertTrue(left > 0, "the source was drained before kill " + (killsWhileForwarding + 1) + " (seed " + seed
                    + "): the kills must come while the bridge forwards");
            killsWhileForwarding++;
            log.info("kill {} with {} messages left in the source", killsWhileForwarding, left);
            run++;
        }

        // the last run: let it finish
        child = startChild(logDir, run, pipelineDepth);
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        while (source.messageCount("in") > 0 || target.messageCount("out") < sent) {
            assertTrue(System.nanoTime() < deadline, "the bridge did not finish: source " + source.messageCount("in") + ", target "
                    + target.messageCount("out") + "; output:\n" + Files.readString(tmp.resolve("child-" + run + ".out")));
            assertTrue(child.isAlive(), "the last bridge child died:\n" + Files.readString(tmp.resolve("child-" + run + ".out")));
            Thread.sleep(100);
        }
        child.destroyForcibly().waitFor();
        child = null;

        // nothing left in doubt: a recovery pass with the same log and node name finds no work
        try (TransactionService svc = TransactionService.builder().nodeName(NODE).logDirectory(logDir).recoveryInterval(Duration.ZERO).build()) {
            svc.recovery().register("source-broker", JmsRecoveryResource.supplier("source-broker", source.xaConnectionFactory()));
            svc.recovery().register("target-broker", JmsRecoveryResource.supplier("target-broker", target.xaConnectionFactory()));
            RecoveryReport report = svc.recovery().runPass();
            assertEquals(0, report.pending(), report.toString());
            assertTrue(report.problems().isEmpty(), report.toString());
        }

        List<Integer> ids = Messages.drain(Messages.plain(target), "out", 500);
        Map<Integer, Integer> seen = new HashMap<>();
        for (int id : ids) {
            seen.merge(id, 1, Integer::sum);
        }
        List<Integer> duplicated = new ArrayList<>();
        seen.forEach((id, n) -> {
            if (n > 1) {
                duplicated.add(id);
            }
        });
        List<Integer> missing = new ArrayList<>();
        for (int i = 0; i < sent; i++) {
            if (!seen.containsKey(i)) {
                missing.add(i);
            }
        }
        assertTrue(duplicated.isEmpty(), duplicated.size() + " ids duplicated, e.g. " + duplicated.subList(0, Math.min(10, duplicated.size())));
        assertTrue(missing.isEmpty(), missing.size() + " ids missing, e.g. " + missing.subList(0, Math.min(10, missing.size())));
        assertEquals(sent, ids.size());
        assertEquals(List.of(), Messages.drain(Messages.plain(source), "in", 300), "source must be empty");
        assertEquals(List.of(), Messages.drain(Messages.plain(source), "in.DLQ", 100), "nothing dead-lettered");
        assertTrue(brokerRestarted);
        int recoveredCommits = 0;
        int recoveredRollbacks = 0;
        for (int r = 0; r <= run; r++) {
            String out = Files.readString(tmp.resolve("child-" + r + ".out"));
            recoveredCommits += out.split("Recovery committed", -1).length - 1;
            recoveredRollbacks += out.split("Recovery rolled back", -1).length - 1;
        }
        log.info("crash test (pipeline depth {}): {} kills while forwarding; recovery committed {} and rolled back {} in-doubt branches; {} s", pipelineDepth, killsWhileForwarding,
                recoveredCommits, recoveredRollbacks, TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started));
    }
}
