package dev.pledge.itests.bank;

import dev.pledge.itests.Servers;
import jakarta.jms.Connection;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import jakarta.jms.XAConnection;
import jakarta.jms.XASession;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.transaction.xa.XAException;
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
 * The bank's Artemis broker, embedded in the test JVM: persistent, its journal under a test
 * directory, on a fixed free port, so that a restart keeps prepared transactions and clients
 * find it again.
 */
final class BankBroker implements AutoCloseable {
    private final Path dir;
    private final int port;
    private EmbeddedActiveMQ server;

    private BankBroker(Path dir, int port) {
        this.dir = dir;
        this.port = port;
    }

    static BankBroker start(Path dir) throws Exception {
        BankBroker b = new BankBroker(dir, PrivateMariaDb.freePort());
        b.startServer();
        return b;
    }

    private void startServer() throws Exception {
        Configuration c = new ConfigurationImpl();
        c.setName("e2e-broker");
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
        c.addAcceptorConfiguration("tcp", "tcp://127.0.0.1:" + port);
        // never auto-delete: Artemis removes an empty auto-created queue when it starts, not counting the messages
        // of prepared transactions, which then commit into nothing (ARTEMIS-3525; see docs/driver-facts.md)
        c.addAddressSetting("#", new AddressSettings().setAutoCreateQueues(true).setAutoCreateAddresses(true).setAutoDeleteQueues(false)
                .setAutoDeleteAddresses(false));
        EmbeddedActiveMQ s = new EmbeddedActiveMQ();
        s.setConfiguration(c);
        s.start();
        server = s;
    }

    String url() {
        return "tcp://127.0.0.1:" + port;
    }

    /** Stops the broker (clients lose their connections) and starts it again on the same journal. */
    void restart() throws Exception {
        server.stop();
        startServer();
    }

    /** Receives every message now in {@code queue}, acknowledging them; returns their texts. */
    List<String> drain(String queue) throws JMSException {
        List<String> texts = new ArrayList<>();
        try (ActiveMQConnectionFactory cf = new ActiveMQConnectionFactory(url()); Connection c = cf.createConnection()) {
            c.start();
            Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
            MessageConsumer consumer = s.createConsumer(s.createQueue(queue));
            for (Message m = consumer.receive(500); m != null; m = consumer.receive(200)) {
                texts.add(((TextMessage) m).getText());
            }
        }
        return texts;
    }

    /** Prepared transaction branches of Pledge node {@code node} that the broker holds. */
    List<Xid> preparedOf(String node) throws JMSException, XAException {
        try (ActiveMQXAConnectionFactory cf = new ActiveMQXAConnectionFactory(url()); XAConnection c = cf.createXAConnection();
                XASession s = c.createXASession()) {
            XAResource r = s.getXAResource();
            Xid[] xids = r.recover(XAResource.TMSTARTRSCAN | XAResource.TMENDRSCAN);
            return Arrays.stream(xids == null ? new Xid[0] : xids).filter(x -> Servers.isFromNode(x, node)).toList();
        }
    }

    @Override
    public void close() throws Exception {
        server.stop();
    }
}
