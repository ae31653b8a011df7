package dev.pledge.bench;

import dev.pledge.tm.TransactionService;
import dev.pledge.xa.jms.JmsBridge;
import dev.pledge.xa.jms.JmsBridgeConfig;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Pledge's {@link JmsBridge} on a service with its durable log; one batch at a time unless
 * {@code concurrency} > 1 (several threads) or {@code pipelineDepth} > 1 (batches commit while the next is moved).
 */
final class PledgeBridge implements BridgeContender {
    private final boolean parallelPhases;
    private final int concurrency;
    private final int pipelineDepth;
    private TransactionService svc;
    private JmsBridge bridge;

    PledgeBridge(boolean parallelPhases, int concurrency, int pipelineDepth) {
        this.parallelPhases = parallelPhases;
        this.concurrency = concurrency;
        this.pipelineDepth = pipelineDepth;
    }

    @Override
    public void start(Path dir, BridgeBroker source, BridgeBroker target, int batchSize) {
        svc = TransactionService.builder().nodeName("bench-bridge-pledge").logDirectory(dir.resolve("pledge-log"))
                .recoveryInterval(Duration.ofMinutes(2)).parallelPhases(parallelPhases).build();
        bridge = new JmsBridge(svc, JmsBridgeConfig.builder().name("bench").source(source.xaConnectionFactory(), IN)
                .target(target.xaConnectionFactory(), OUT).batchSize(batchSize).maxBatchWait(Duration.ofMillis(100))
                .concurrency(concurrency).pipelineDepth(pipelineDepth).build());
        bridge.start();
    }

    @Override
    public void close() {
        if (bridge != null) {
            bridge.stop();
        }
        if (svc != null) {
            svc.close();
        }
    }
}
