package dev.pledge.bench;

import jakarta.jms.Connection;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import org.apache.activemq.artemis.api.core.SimpleString;
import org.apache.activemq.artemis.core.config.Configuration;
import org.apache.activemq.artemis.core.config.impl.ConfigurationImpl;
import org.apache.activemq.artemis.core.server.JournalType;
import org.apache.activemq.artemis.core.server.Queue;
import org.apache.activemq.artemis.core.server.embedded.EmbeddedActiveMQ;
import org.apache.activemq.artemis.core.settings.impl.AddressSettings;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.apache.activemq.artemis.jms.client.ActiveMQXAConnectionFactory;

/**
 * A persistent embedded Artemis broker (NIO journal, synced transactions: Artemis's defaults) on a
 * free TCP port of 127.0.0.1, its journal under {@code dir}; set up like the xa-adapters tests' broker.
 * Queues are auto-created and never auto-deleted (see docs/driver-facts.md on ARTEMIS-3525).
 */
final class BridgeBroker implements AutoCloseable {
    private final int port;
    private final EmbeddedActiveMQ server = new EmbeddedActiveMQ();

    BridgeBroker(String name, Path dir) throws Exception {
        this.port = freePort();
        Configuration c = new ConfigurationImpl();
        c.setName(name);
        c.setPersistenceEnabled(true);
        c.setSecurityEnabled(false);
        c.setJournalType(JournalType.NIO);
        c.setJournalDirectory(dir.resolve("journal").toString());
        c.setBindingsDirectory(dir.resolve("bindings").toString());
        c.setPagingDirectory(dir.resolve("paging").toString());
        c.setLargeMessagesDirectory(dir.resolve("large").toString());
        c.setNodeManagerLockDirectory(dir.resolve("lock").toString());
        c.setCriticalAnalyzer(false);
        c.setJMXManagementEnabled(false);
        c.addAcceptorConfiguration("tcp", "tcp://127.0.0.1:" + port);
        c.addAddressSetting("#", new AddressSettings().setMaxDeliveryAttempts(-1).setAutoCreateQueues(true).setAutoCreateAddresses(true)
                .setAutoDeleteQueues(false).setAutoDeleteAddresses(false));
        server.setConfiguration(c);
        server.start();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    String url() {
        return "tcp://127.0.0.1:" + port;
    }

    ActiveMQXAConnectionFactory xaConnectionFactory() {
        return new ActiveMQXAConnectionFactory(url());
    }

    /** Sends {@code count} persistent text messages (int property {@code uid} = 0..count-1) in transactions of 500. */
    void fill(String queue, int count) throws JMSException {
        try (ActiveMQConnectionFactory cf = new ActiveMQConnectionFactory(url()); Connection c = cf.createConnection()) {
            Session s = c.createSession(true, Session.SESSION_TRANSACTED);
            MessageProducer p = s.createProducer(s.createQueue(queue));
            for (int i = 0; i < count; i++) {
                Message m = s.createTextMessage("message " + i);
                m.setIntProperty("uid", i);
                p.send(m);
                if (i % 500 == 499) {
                    s.commit();
                }
            }
            s.commit();
        }
    }

    /** Messages in the queue (those delivered but not acknowledged included); 0 if it does not exist. */
    long messageCount(String queue) {
        Queue q = server.getActiveMQServer().locateQueue(SimpleString.of(queue));
        return q == null ? 0 : q.getMessageCount();
    }

    @Override
    public void close() throws Exception {
        server.stop();
    }
}
