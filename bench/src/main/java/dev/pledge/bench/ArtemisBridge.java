package dev.pledge.bench;

import java.nio.file.Path;
import org.apache.activemq.artemis.jms.bridge.QualityOfServiceMode;
import org.apache.activemq.artemis.jms.bridge.impl.JMSBridgeImpl;
import org.apache.activemq.artemis.jms.client.ActiveMQQueue;

/**
 * Artemis's own JMS bridge with quality of service ONCE_AND_ONLY_ONCE: each batch is one XA
 * transaction over both brokers, coordinated by Narayana 7.2 with its default file store (synced
 * writes and removals, see {@link NarayanaContender}). 100 ms maximum batch time, as Pledge's.
 */
final class ArtemisBridge implements BridgeContender {
    private JMSBridgeImpl bridge;

    @Override
    public void start(Path dir, BridgeBroker source, BridgeBroker target, int batchSize) throws Exception {
        bridge = new JMSBridgeImpl(source::xaConnectionFactory, target::xaConnectionFactory, () -> new ActiveMQQueue(IN),
                () -> new ActiveMQQueue(OUT), null, null, null, null, null, 1000, -1, QualityOfServiceMode.ONCE_AND_ONLY_ONCE, batchSize, 100,
                null, null, false);
        bridge.setTransactionManager(NarayanaContender.configure(dir, false));
        bridge.start();
    }

    @Override
    public void close() throws Exception {
        if (bridge != null) {
            bridge.stop();
        }
    }
}
