package dev.pledge.xa.jms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pledge.tm.TransactionService;
import jakarta.jms.Connection;
import jakarta.jms.ConnectionFactory;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.Session;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JmsBridgeTest {
    @TempDir
    Path tmp;

    TestBroker source;
    TestBroker target;
    TransactionService svc;
    JmsBridge bridge;

    @BeforeEach
    void setUp() throws Exception {
        source = TestBroker.start("source", tmp.resolve("source"));
        target = TestBroker.start("target", tmp.resolve("target"));
        svc = TransactionService.builder().nodeName("bridge-test").logDirectory(tmp.resolve("pledge-log")).recoveryInterval(Duration.ZERO)
                .unsafeDisableFsync().build();
    }

    @AfterEach
    void tearDown() throws Exception {
        if (bridge != null) {
            bridge.stop();
        }
        svc.close();
        source.close();
        target.close();
    }

    private JmsBridgeConfig.Builder config() {
        return JmsBridgeConfig.builder().name("test-bridge").source(source.xaConnectionFactory(), "in").target(target.xaConnectionFactory(), "out")
                .batchSize(50).maxBatchWait(Duration.ofMillis(100)).retryDelay(Duration.ofMillis(50), Duration.ofMillis(400));
    }

    private static void await(String what, Duration max, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + max.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + max + " waiting until " + what);
            }
            Thread.sleep(20);
        }
    }

    @Test
    void movesEveryMessageExactlyOnceAndDrainsTheSource() throws Exception {
        Messages.send(Messages.plain(source), "in", 0, 1000);
        bridge = new JmsBridge(svc, config().build());
        bridge.start();
        await("1000 forwarded", Duration.ofSeconds(60), () -> bridge.metrics().forwarded() >= 1000);
        bridge.stop();

        List<Integer> ids = Messages.drain(Messages.plain(target), "out", 300);
        assertEquals(IntStream.range(0, 1000).boxed().toList(), ids.stream().sorted().toList());
        assertEquals(0, source.messageCount("in"));
        JmsBridgeMetrics m = bridge.metrics();
        assertEquals(1000, m.forwarded());
        assertTrue(m.batches() >= 20, "batches of at most 50: " + m);
        assertEquals(0, m.failures(), m.toString());
        assertNotNull(m.lastMessageAge());
        assertFalse(m.running());
    }

    @Test
    void aBridgeNotYetStartedHasMovedNothingHasNoLagAndIsNotRunning() {
        bridge = new JmsBridge(svc, config().build());
        assertEquals(new JmsBridgeMetrics(0, 0, 0, 0, null, false, null), bridge.metrics());
    }

    @Test
    void concurrentBatchesMoveEveryMessageExactlyOnce() throws Exception {
        Messages.send(Messages.plain(source), "in", 0, 2000);
        bridge = new JmsBridge(svc, config().concurrency(4).build());
        bridge.start();
        await("2000 forwarded", Duration.ofSeconds(60), () -> bridge.metrics().forwarded() >= 2000);
        bridge.stop();
        assertEquals(IntStream.range(0, 2000).boxed().toList(), Messages.drain(Messages.plain(target), "out", 300).stream().sorted().toList());
        assertEquals(0, source.messageCount("in"));
        assertEquals(2000, bridge.metrics().forwarded());
    }

    @Test
    void keepsMessageOrderWithinTheQueue() throws Exception {
        Messages.send(Messages.plain(source), "in", 0, 200);
        bridge = new JmsBridge(svc, config().build());
        bridge.start();
        await("200 forwarded", Duration.ofSeconds(30), () -> bridge.metrics().forwarded() >= 200);
        assertEquals(IntStream.range(0, 200).boxed().toList(), Messages.drain(Messages.plain(target), "out", 300));
    }

    @Test
    void pipelinedBridgeKeepsTheSourceOrderOnTheTarget() throws Exception {
        Messages.send(Messages.plain(source), "in", 0, 2000);
        bridge = new JmsBridge(svc, config().batchSize(20).pipelineDepth(4).build());
        bridge.start();
        await("2000 forwarded", Duration.ofSeconds(60), () -> bridge.metrics().forwarded() >= 2000);
        bridge.stop();
        List<Integer> ids = Messages.drain(Messages.plain(target), "out", 300);
        assertEquals(2000, ids.size());
        for (int i = 0; i < ids.size(); i++) {
            int at = i;
            assertEquals(i, ids.get(i), () -> "out of order at position " + at + ": " + ids.subList(Math.max(0, at - 3), Math.min(ids.size(), at + 25)));
        }
        assertEquals(0, source.messageCount("in"));
        assertEquals(2000, bridge.metrics().forwarded());
        assertTrue(bridge.metrics().batches() >= 100, bridge.metrics().toString());
    }

    @Test
    void pipelinedBridgeSendsAMessageTheTargetRejectsAloneToTheDeadLetterQueue() throws Exception {
        target.close();
        target = TestBroker.start("picky-target", tmp.resolve("picky-target"), new PoisonRefusingPlugin());
        Messages.send(Messages.plain(source), "in", 0, 200, i -> i == 105 ? "poison" : null);
        bridge = new JmsBridge(svc, config().batchSize(10).pipelineDepth(4).maxDeliveries(3).build());
        bridge.start();
        await("199 forwarded, 1 dead-lettered", Duration.ofSeconds(60),
                () -> bridge.metrics().forwarded() == 199 && bridge.metrics().deadLettered() == 1);
        bridge.stop();
        List<Integer> expected = IntStream.range(0, 200).filter(i -> i != 105).boxed().toList();
        assertEquals(expected, Messages.drain(Messages.plain(target), "out", 300).stream().sorted().toList());
        assertEquals(List.of(105), Messages.drain(Messages.plain(source), "in.DLQ", 300));
    }

    @ParameterizedTest(name = "pipeline depth {0}")
    @ValueSource(ints = {1, 4})
    void movesEachMessageOnceAcrossATargetRestartMidRun(int pipelineDepth) throws Exception {
        Messages.send(Messages.plain(source), "in", 0, 3000);
        bridge = new JmsBridge(svc, config().batchSize(20).pipelineDepth(pipelineDepth).build());
        bridge.start();
        await("500 forwarded", Duration.ofSeconds(60), () -> bridge.metrics().forwarded() >= 500);
        target.restart();
        // the service runs no background recovery here: a batch the restart left in doubt is finished by the
        // recovery pass the bridge runs when it reconnects
        await("3000 forwarded", Duration.ofSeconds(90), () -> bridge.metrics().forwarded() >= 3000);
        await("3000 on the target", Duration.ofSeconds(30), () -> target.messageCount("out") >= 3000);
        bridge.stop();
        List<Integer> ids = Messages.drain(Messages.plain(target), "out", 300);
        assertEquals(3000, ids.size(), "each message once on the target");
        assertEquals(IntStream.range(0, 3000).boxed().toList(), ids.stream().sorted().toList());
        assertEquals(0, source.messageCount("in"));
        assertTrue(bridge.metrics().failures() >= 1, "the restart should have failed a batch: " + bridge.metrics());
        assertEquals(List.of(), Messages.drain(Messages.plain(source), "in.DLQ", 100), "nothing dead-lettered");
    }

    @Test
    void movesOnlyMessagesMatchingTheSelector() throws Exception {
        Messages.send(Messages.plain(source), "in", 0, 100, i -> i % 2 == 0 ? "even" : "odd");
        bridge = new JmsBridge(svc, config().selector("kind = 'even'").build());
        bridge.start();
        await("50 forwarded", Duration.ofSeconds(30), () -> bridge.metrics().forwarded() >= 50);
        Thread.sleep(300);
        bridge.stop();
        assertEquals(IntStream.range(0, 100).filter(i -> i % 2 == 0).boxed().toList(),
                Messages.drain(Messages.plain(target), "out", 300).stream().sorted().toList());
        assertEquals(IntStream.range(0, 100).filter(i -> i % 2 == 1).boxed().toList(),
                Messages.drain(Messages.plain(source), "in", 300).stream().sorted().toList());
    }

    @Test
    void messageDeliveredTooOftenGoesToTheDeadLetterQueue() throws Exception {
        // another consumer fails to process message 1 three times (each rollback is a failed delivery)
        deadLettersTheMessageThatFailedAndForwardsTheOther(3, config().maxDeliveries(3), "in.DLQ");
    }

    @Test
    void aMessageDeliveredMoreThanMaxDeliveriesTimesGoesToTheDeadLetterQueueNamedInTheConfig() throws Exception {
        deadLettersTheMessageThatFailedAndForwardsTheOther(1, config().maxDeliveries(1).deadLetterQueue("orders-dlq"), "orders-dlq");
        assertEquals(0, source.messageCount("in.DLQ"), "not the default dead-letter queue");
    }

    /** Message 1 fails {@code failedDeliveries} times on another consumer, then the bridge moves it and message 2. */
    private void deadLettersTheMessageThatFailedAndForwardsTheOther(int failedDeliveries, JmsBridgeConfig.Builder config, String deadLetterQueue)
            throws Exception {
        ConnectionFactory plain = Messages.plain(source);
        Messages.send(plain, "in", 1, 1);
        try (Connection c = plain.createConnection()) {
            c.start();
            Session s = c.createSession(true, Session.SESSION_TRANSACTED);
            MessageConsumer consumer = s.createConsumer(s.createQueue("in"));
            for (int i = 0; i < failedDeliveries; i++) {
                Message m = consumer.receive(2000);
                assertNotNull(m, "delivery " + (i + 1));
                s.rollback();
            }
        }
        Messages.send(plain, "in", 2, 1);
        bridge = new JmsBridge(svc, config.build());
        bridge.start();
        await("one forwarded, one dead-lettered", Duration.ofSeconds(30),
                () -> bridge.metrics().forwarded() == 1 && bridge.metrics().deadLettered() == 1);
        bridge.stop();
        assertEquals(List.of(2), Messages.drain(Messages.plain(target), "out", 300));
        assertEquals(List.of(1), Messages.drain(plain, deadLetterQueue, 300));
        assertEquals(0, source.messageCount("in"));
    }

    @Test
    void messageTheTargetRejectsGoesAloneToTheDeadLetterQueue() throws Exception {
        target.close();
        target = TestBroker.start("picky-target", tmp.resolve("picky-target"), new PoisonRefusingPlugin());
        Messages.send(Messages.plain(source), "in", 0, 10, i -> i == 5 ? "poison" : null);
        bridge = new JmsBridge(svc, config().maxDeliveries(3).build());
        bridge.start();
        await("9 forwarded, 1 dead-lettered", Duration.ofSeconds(60),
                () -> bridge.metrics().forwarded() == 9 && bridge.metrics().deadLettered() == 1);
        bridge.stop();
        assertEquals(List.of(0, 1, 2, 3, 4, 6, 7, 8, 9), Messages.drain(Messages.plain(target), "out", 300).stream().sorted().toList());
        assertEquals(List.of(5), Messages.drain(Messages.plain(source), "in.DLQ", 300));
        assertTrue(bridge.metrics().failures() >= 3, bridge.metrics().toString());
    }

    @Test
    void withDefaultSettingsOnBothSidesTheBridgeDeadLettersBeforeTheSourceBrokerDropsTheMessage() throws Exception {
        source.close();
        source = TestBroker.startWithArtemisRedeliveryDefaults("default-source", tmp.resolve("default-source"));
        target.close();
        target = TestBroker.start("picky-target", tmp.resolve("picky-target"), new PoisonRefusingPlugin());
        Messages.send(Messages.plain(source), "in", 0, 10, i -> i == 5 ? "poison" : null);
        bridge = new JmsBridge(svc, JmsBridgeConfig.builder().name("defaults").source(source.xaConnectionFactory(), "in")
                .target(target.xaConnectionFactory(), "out").retryDelay(Duration.ofMillis(20), Duration.ofMillis(100)).build());
        bridge.start();
        await("9 forwarded, 1 dead-lettered", Duration.ofSeconds(60),
                () -> bridge.metrics().forwarded() == 9 && bridge.metrics().deadLettered() == 1);
        bridge.stop();
        assertEquals(List.of(5), Messages.drain(Messages.plain(source), "in.DLQ", 300), "the rejected message is kept, not dropped");
        assertEquals(0, source.messageCount("in"));
    }

    @Test
    void retriesWhileTheTargetBrokerIsDownAndThenMovesEverything() throws Exception {
        Messages.send(Messages.plain(source), "in", 0, 300);
        target.stop();
        bridge = new JmsBridge(svc, config().build());
        bridge.start();
        await("3 failures while the target is down", Duration.ofSeconds(30), () -> bridge.metrics().failures() >= 3);
        assertEquals(0, bridge.metrics().forwarded());
        assertTrue(bridge.metrics().running(), "an unreachable broker is retried, not a configuration error: " + bridge.metrics());
        target.restart();
        await("300 forwarded", Duration.ofSeconds(60), () -> bridge.metrics().forwarded() >= 300);
        bridge.stop();
        assertEquals(IntStream.range(0, 300).boxed().toList(), Messages.drain(Messages.plain(target), "out", 300).stream().sorted().toList());
        assertEquals(0, source.messageCount("in"));
    }

    @Test
    void givesUpAfterTheConfiguredNumberOfRetries() throws Exception {
        target.stop();
        bridge = new JmsBridge(svc, config().maxRetries(2).build());
        bridge.start();
        await("the bridge stops itself", Duration.ofSeconds(30), () -> !bridge.metrics().running());
        assertEquals(3, bridge.metrics().failures(), "one attempt and two retries");
        JmsBridgeMetrics.SelfStop stop = bridge.metrics().stoppedItself();
        assertEquals(JmsBridgeMetrics.SelfStopReason.MAX_RETRIES, stop.reason(), stop.toString());
        assertTrue(stop.message().contains("gives up after 3 consecutive failures"), stop.message());
        target.restart();
    }

    @ParameterizedTest(name = "concurrency {0}")
    @ValueSource(ints = {1, 3})
    void anInvalidSelectorStopsTheBridgeAtOnceNamingTheSelectorAndLeavesEveryMessageOnTheSource(int concurrency) throws Exception {
        Messages.send(Messages.plain(source), "in", 0, 20);
        bridge = new JmsBridge(svc, config().selector("kind = = 'even'").concurrency(concurrency).build()); // retries for ever
        bridge.start();
        JmsBridgeMetrics.SelfStop stop = awaitConfigurationErrorStop();
        assertEquals("JMS bridge test-bridge stops: selector 'kind = = 'even'' is refused by the broker test-bridge-source",
                stop.message().substring(0, stop.message().indexOf(" (")), stop.message());
        assertTrue(stop.message().contains("InvalidSelectorException"), stop.message());
        assertNothingMovedAndNothingRetried(concurrency);
        assertEquals(IntStream.range(0, 20).boxed().toList(), Messages.drain(Messages.plain(source), "in", 300), "every message, in order");
    }

    @Test
    void aTargetQueueTheBrokerDoesNotHaveAndWillNotCreateStopsTheBridgeNamingTheQueue() throws Exception {
        target.close();
        target = TestBroker.startWithoutAutoCreate("strict-target", tmp.resolve("strict-target"));
        Messages.send(Messages.plain(source), "in", 0, 20);
        bridge = new JmsBridge(svc, config().build());
        bridge.start();
        JmsBridgeMetrics.SelfStop stop = awaitConfigurationErrorStop();
        assertEquals("JMS bridge test-bridge stops: targetQueue 'out' is refused by the broker test-bridge-target",
                stop.message().substring(0, stop.message().indexOf(" (")), stop.message());
        // Artemis (2.41) answers createQueue for a queue it has not and may not create with a JMSException of its own
        assertTrue(stop.message().contains("There is no queue with name out"), stop.message());
        assertNothingMovedAndNothingRetried(1);
        assertEquals(IntStream.range(0, 20).boxed().toList(), Messages.drain(Messages.plain(source), "in", 300), "every message, in order");
    }

    @Test
    void aSourceQueueTheBrokerDoesNotHaveAndWillNotCreateStopsTheBridgeNamingTheQueue() throws Exception {
        source.close();
        source = TestBroker.startWithoutAutoCreate("strict-source", tmp.resolve("strict-source"));
        bridge = new JmsBridge(svc, config().build());
        bridge.start();
        JmsBridgeMetrics.SelfStop stop = awaitConfigurationErrorStop();
        assertEquals("JMS bridge test-bridge stops: sourceQueue 'in' is refused by the broker test-bridge-source",
                stop.message().substring(0, stop.message().indexOf(" (")), stop.message());
        assertNothingMovedAndNothingRetried(1);
    }

    /** Waits (at most 10 s, far less than a retry loop would take to give up: it never would) for the bridge to stop itself. */
    private JmsBridgeMetrics.SelfStop awaitConfigurationErrorStop() throws InterruptedException {
        await("the bridge stops itself", Duration.ofSeconds(10), () -> !bridge.metrics().running());
        JmsBridgeMetrics.SelfStop stop = bridge.metrics().stoppedItself();
        assertNotNull(stop, bridge.metrics().toString());
        assertEquals(JmsBridgeMetrics.SelfStopReason.CONFIGURATION_ERROR, stop.reason(), stop.toString());
        return stop;
    }

    /** One failed attempt per thread, none after the stop (retry delays here are 50..400 ms), and nothing on the target. */
    private void assertNothingMovedAndNothingRetried(int threads) throws Exception {
        long failures = bridge.metrics().failures();
        assertTrue(failures >= 1 && failures <= threads, "one failed attempt per thread at most: " + bridge.metrics());
        Thread.sleep(600);
        assertEquals(failures, bridge.metrics().failures(), "no retry after the stop");
        assertEquals(0, bridge.metrics().forwarded());
        assertEquals(0, bridge.metrics().batches());
        assertEquals(0, target.messageCount("out"));
    }

    @Test
    void batchSizeCapsEachTransactionAndMaxBatchWaitCommitsTheShortLastOne() throws Exception {
        Messages.send(Messages.plain(source), "in", 0, 120);
        bridge = new JmsBridge(svc, config().batchSize(50).maxBatchWait(Duration.ofSeconds(1)).build());
        bridge.start();
        // without a batch wait the last 20 would wait for 30 more that never come
        await("120 forwarded", Duration.ofSeconds(30), () -> bridge.metrics().forwarded() >= 120);
        bridge.stop();
        JmsBridgeMetrics m = bridge.metrics();
        assertEquals(3, m.batches(), "50 + 50 + 20, one transaction each: " + m);
        assertEquals(120, m.forwarded());
        assertEquals(IntStream.range(0, 120).boxed().toList(), Messages.drain(Messages.plain(target), "out", 300));
    }

    @Test
    void stoppedBridgeMovesNothingUntilStartedAgainAndReportsTheLagOfWaitingMessages() throws Exception {
        Messages.send(Messages.plain(source), "in", 0, 100);
        bridge = new JmsBridge(svc, config().build());
        bridge.start();
        await("100 forwarded", Duration.ofSeconds(30), () -> bridge.metrics().forwarded() >= 100);
        bridge.stop();
        assertFalse(bridge.metrics().running());

        Messages.send(Messages.plain(source), "in", 100, 100);
        Thread.sleep(1_200);
        assertEquals(100, bridge.metrics().forwarded(), "a stopped bridge moves nothing");
        assertEquals(100, source.messageCount("in"));

        bridge.start();
        assertTrue(bridge.metrics().running());
        await("200 forwarded", Duration.ofSeconds(30), () -> bridge.metrics().forwarded() >= 200);
        Duration lag = bridge.metrics().lastMessageAge();
        assertTrue(lag.compareTo(Duration.ofMillis(1_200)) >= 0, "the last batch moved messages that waited >= 1.2 s; lag " + lag);
        bridge.stop();
        assertEquals(IntStream.range(0, 200).boxed().toList(), Messages.drain(Messages.plain(target), "out", 300));
        assertEquals(0, source.messageCount("in"));
    }
}
