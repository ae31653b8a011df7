package dev.pledge.xa.jms;

import dev.pledge.tm.TransactionService;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.activemq.artemis.jms.client.ActiveMQXAConnectionFactory;

/**
 * Child JVM running one {@link JmsBridge} until it is killed. Prints FORWARDING once its first
 * batch committed, then its metrics now and then. Args: log directory, node name, source URL,
 * target URL, batch size, pipeline depth (optional, default 1).
 */
public final class BridgeChild {
    private BridgeChild() {
    }

    public static void main(String[] args) throws Exception {
        TransactionService svc = TransactionService.builder().nodeName(args[1]).logDirectory(Path.of(args[0]))
                .recoveryInterval(Duration.ofSeconds(1)).build();
        JmsBridgeConfig config = JmsBridgeConfig.builder().name("crash-bridge")
                .source(new ActiveMQXAConnectionFactory(args[2]), "in").sourceResourceName("source-broker")
                .target(new ActiveMQXAConnectionFactory(args[3]), "out").targetResourceName("target-broker")
                .batchSize(Integer.parseInt(args[4])).maxBatchWait(Duration.ofMillis(200))
                // every kill counts as a failed delivery of the messages in flight: keep dead letters out of this test
                .maxDeliveries(10_000)
                .retryDelay(Duration.ofMillis(100), Duration.ofSeconds(1))
                .pipelineDepth(args.length > 5 ? Integer.parseInt(args[5]) : 1).build();
        JmsBridge bridge = new JmsBridge(svc, config);
        bridge.start();
        boolean announced = false;
        long lastPrint = 0;
        while (true) {
            JmsBridgeMetrics m = bridge.metrics();
            if (!announced && m.batches() > 0) {
                System.out.println("FORWARDING");
                announced = true;
            }
            if (System.currentTimeMillis() - lastPrint > 1000) {
                System.out.println(m);
                lastPrint = System.currentTimeMillis();
            }
            Thread.sleep(5);
        }
    }
}
