package dev.pledge.itests.servlet;

import dev.pledge.itests.Servers;
import jakarta.jms.Connection;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.Session;
import jakarta.jms.XAConnection;
import jakarta.jms.XASession;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.transaction.xa.XAResource;
import javax.transaction.xa.Xid;
import org.apache.activemq.artemis.core.config.Configuration;
import org.apache.activemq.artemis.core.config.impl.ConfigurationImpl;
import org.apache.activemq.artemis.core.server.JournalType;
import org.apache.activemq.artemis.core.server.embedded.EmbeddedActiveMQ;
import org.apache.activemq.artemis.core.settings.impl.AddressSettings;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.apache.activemq.artemis.jms.client.ActiveMQXAConnectionFactory;

/**
 * The shop's Artemis broker, embedded in the test JVM (persistent, journal in a test directory) and
 * reached by the server process over TCP on a free loopback port; it outlives every server kill.
 */
public final class ShopBroker implements AutoCloseable {
    public static final String QUEUE = "shop.orders";
    private final EmbeddedActiveMQ server = new EmbeddedActiveMQ();
    private final String url;
    private volatile long phaseTwoDelayMillis;

    private ShopBroker(String url) {
        this.url = url;
    }

    public static ShopBroker start(Path dir) throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        ShopBroker b = new ShopBroker("tcp://127.0.0.1:" + port);
        Configuration c = new ConfigurationImpl();
        c.setName("shop-broker");
        c.setPersistenceEnabled(true);
        c.setSecurityEnabled(false);
        c.setJournalType(JournalType.NIO);
        c.setJournalDirectory(dir.resolve("journal").toString());
        c.setBindingsDirectory(dir.resolve("bindings").toString());
        c.setPagingDirectory(dir.resolve("paging").toString());
        c.setLargeMessagesDirectory(dir.resolve("large").toString());
        c.setNodeManagerLockDirectory(dir.resolve("lock").toString());
        c.setJournalFileSize(2 * 1024 * 1024);
        c.setJournalMinFiles(2);
        c.setCriticalAnalyzer(false);
        c.setJMXManagementEnabled(false);
        c.addAcceptorConfiguration("tcp", b.url);
        // never auto-delete: an empty auto-created queue removed on restart would lose the messages of prepared transactions
        c.addAddressSetting("#", new AddressSettings().setAutoCreateQueues(true).setAutoCreateAddresses(true).setAutoDeleteQueues(false)
                .setAutoDeleteAddresses(false));
        c.registerBrokerPlugin(b.new PhaseTwoDelay());
        b.server.setConfiguration(c);
        b.server.start();
        return b;
    }

    /**
     * Makes the broker wait this long before it commits or rolls back a prepared branch, so that more
     * of a transaction's life is its phase two and a kill at a random moment more often lands there.
     * It changes no outcome: the transaction manager decided before phase two began.
     */
    void delayPhaseTwo(long millis) {
        phaseTwoDelayMillis = millis;
    }

    /** Artemis removes an XA transaction from its resource manager first thing in xaCommit and xaRollback. */
    private final class PhaseTwoDelay implements org.apache.activemq.artemis.core.server.plugin.ActiveMQServerResourcePlugin {
        @Override
        public void beforeRemoveTransaction(Xid xid, org.apache.activemq.artemis.spi.core.protocol.RemotingConnection connection) {
            long delay = phaseTwoDelayMillis;
            if (delay > 0) {
                try {
                    Thread.sleep(delay);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    public String url() {
        return url;
    }

    /** Receives every message in the shop's queue; returns how many there were per order id. */
    public Map<String, Integer> drainOrderMessages() throws JMSException {
        Map<String, Integer> counts = new HashMap<>();
        try (ActiveMQConnectionFactory cf = new ActiveMQConnectionFactory(url); Connection c = cf.createConnection()) {
            c.start();
            Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
            MessageConsumer consumer = s.createConsumer(s.createQueue(QUEUE));
            for (Message m = consumer.receive(1000); m != null; m = consumer.receive(300)) {
                counts.merge(m.getStringProperty("orderId"), 1, Integer::sum);
            }
        }
        return counts;
    }

    /** Prepared branches of Pledge node {@code node} that the broker holds. */
    public List<Xid> preparedOf(String node) throws Exception {
        try (ActiveMQXAConnectionFactory cf = new ActiveMQXAConnectionFactory(url); XAConnection c = cf.createXAConnection();
                XASession s = c.createXASession()) {
            Xid[] xids = s.getXAResource().recover(XAResource.TMSTARTRSCAN | XAResource.TMENDRSCAN);
            return Arrays.stream(xids == null ? new Xid[0] : xids).filter(x -> Servers.isFromNode(x, node)).toList();
        }
    }

    @Override
    public void close() throws Exception {
        server.stop();
    }
}
