package dev.pledge.xa.jms;

import com.arjuna.ats.arjuna.common.ObjectStoreEnvironmentBean;
import com.arjuna.ats.arjuna.common.arjPropertyManager;
import com.arjuna.common.internal.util.propertyservice.BeanPopulator;
import dev.pledge.tm.TransactionService;
import jakarta.transaction.TransactionManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.stream.Stream;
import org.apache.activemq.artemis.jms.bridge.QualityOfServiceMode;
import org.apache.activemq.artemis.jms.bridge.impl.JMSBridgeImpl;
import org.apache.activemq.artemis.jms.client.ActiveMQQueue;

/**
 * Throughput of Pledge's {@link JmsBridge} against Artemis's own JMS bridge
 * ({@code JMSBridgeImpl}, ONCE_AND_ONLY_ONCE, Narayana as its transaction manager), each moving the
 * same number of persistent messages between two fresh persistent embedded brokers over TCP with
 * the same batch size and batch time. Both transaction managers force their logs to disk. Not a
 * test: run it by hand. Args: [messages, default 20000] [batchSize, default 100] [concurrency of the
 * second Pledge run, default 4] [rounds, default 3]; each round runs the Artemis bridge, Pledge one
 * batch at a time (as the Artemis bridge does) and Pledge with concurrent batches; medians are reported.
 * <pre>
 * mvn -q -pl xa-adapters -am test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt -Dmdep.includeScope=test
 * java -cp xa-adapters/target/test-classes:xa-adapters/target/classes:$(cat xa-adapters/target/cp.txt) \
 *     dev.pledge.xa.jms.BridgeThroughputComparison 20000 100 8 3
 * </pre>
 * The brokers run in the same JVM as the bridges, so on a small machine the figures are bound by
 * CPU and disk as much as by the transaction managers: compare within one run.
 */
public final class BridgeThroughputComparison {
    private BridgeThroughputComparison() {
    }

    interface Bridge extends AutoCloseable {
        void start() throws Exception;
    }

    public static void main(String[] args) throws Exception {
        int messages = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
        int batch = args.length > 1 ? Integer.parseInt(args[1]) : 100;
        int concurrency = args.length > 2 ? Integer.parseInt(args[2]) : 4;
        int rounds = args.length > 3 ? Integer.parseInt(args[3]) : 3;
        Path root = Files.createTempDirectory("bridge-bench");
        try {
            BeanPopulator.getDefaultInstance(ObjectStoreEnvironmentBean.class).setObjectStoreDir(root.resolve("narayana").toString());
            BeanPopulator.getNamedInstance(ObjectStoreEnvironmentBean.class, "communicationStore")
                    .setObjectStoreDir(root.resolve("narayana").toString());
            BeanPopulator.getNamedInstance(ObjectStoreEnvironmentBean.class, "stateStore").setObjectStoreDir(root.resolve("narayana").toString());
            arjPropertyManager.getCoreEnvironmentBean().setNodeIdentifier("bench");
            TransactionManager narayana = com.arjuna.ats.jta.TransactionManager.transactionManager();

            // warm-up of both, then the measured runs
            run("warm-up pledge", root.resolve("w1"), messages / 10, (s, t) -> pledge(root.resolve("w1-log"), s, t, batch, concurrency));
            run("warm-up artemis", root.resolve("w2"), messages / 10, (s, t) -> artemis(narayana, s, t, batch));
            // rounds alternate the three contenders, so that load from elsewhere and JIT warm-up hit each alike
            double[] artemis = new double[rounds];
            double[] pledge1 = new double[rounds];
            double[] pledgeN = new double[rounds];
            for (int r = 0; r < rounds; r++) {
                String round = "r" + r + "-";
                artemis[r] = run("artemis JMSBridgeImpl+narayana", root.resolve(round + "a"), messages,
                        (s, t) -> artemis(narayana, s, t, batch));
                pledge1[r] = run("pledge JmsBridge, 1 batch at a time (ordered)", root.resolve(round + "p1"), messages,
                        (s, t) -> pledge(root.resolve(round + "p1-log"), s, t, batch, 1));
                pledgeN[r] = run("pledge JmsBridge, " + concurrency + " concurrent batches", root.resolve(round + "pn"), messages,
                        (s, t) -> pledge(root.resolve(round + "pn-log"), s, t, batch, concurrency));
            }
            double a = median(artemis);
            double p1 = median(pledge1);
            double pn = median(pledgeN);
            System.out.printf("RESULT messages=%d batch=%d rounds=%d (medians) artemis=%.0f msg/s pledge(1)=%.0f msg/s (x%.2f)"
                    + " pledge(%d)=%.0f msg/s (x%.2f)%n", messages, batch, rounds, a, p1, p1 / a, concurrency, pn, pn / a);
        } finally {
            try (Stream<Path> files = Files.walk(root)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        System.exit(0);
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        java.util.Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    interface BridgeMaker {
        Bridge make(TestBroker source, TestBroker target) throws Exception;
    }

    private static double run(String label, Path dir, int messages, BridgeMaker maker) throws Exception {
        try (TestBroker source = TestBroker.start(label + "-source", dir.resolve("source"));
                TestBroker target = TestBroker.start(label + "-target", dir.resolve("target"))) {
            Messages.send(Messages.plain(source), "in", 0, messages);
            try (Bridge bridge = maker.make(source, target)) {
                long t0 = System.nanoTime();
                bridge.start();
                while (target.messageCount("out") < messages || source.messageCount("in") > 0) {
                    Thread.sleep(5);
                }
                double seconds = (System.nanoTime() - t0) / 1e9;
                double rate = messages / seconds;
                System.out.printf("%s: %d messages in %.2f s = %.0f msg/s%n", label, messages, seconds, rate);
                return rate;
            }
        }
    }

    private static Bridge pledge(Path log, TestBroker source, TestBroker target, int batch, int concurrency) {
        TransactionService svc = TransactionService.builder().nodeName("bench").logDirectory(log).recoveryInterval(Duration.ofMinutes(2)).build();
        JmsBridge bridge = new JmsBridge(svc, JmsBridgeConfig.builder().name("bench").source(source.xaConnectionFactory(), "in")
                .target(target.xaConnectionFactory(), "out").batchSize(batch).maxBatchWait(Duration.ofMillis(100)).concurrency(concurrency).build());
        return new Bridge() {
            @Override
            public void start() {
                bridge.start();
            }

            @Override
            public void close() {
                bridge.stop();
                svc.close();
            }
        };
    }

    private static Bridge artemis(TransactionManager tm, TestBroker source, TestBroker target, int batch) {
        JMSBridgeImpl bridge = new JMSBridgeImpl(source::xaConnectionFactory, target::xaConnectionFactory, () -> new ActiveMQQueue("in"),
                () -> new ActiveMQQueue("out"), null, null, null, null, null, 1000, -1, QualityOfServiceMode.ONCE_AND_ONLY_ONCE, batch, 100,
                null, null, false);
        bridge.setTransactionManager(tm);
        return new Bridge() {
            @Override
            public void start() throws Exception {
                bridge.start();
            }

            @Override
            public void close() throws Exception {
                bridge.stop();
            }
        };
    }
}
