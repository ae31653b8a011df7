package dev.pledge.cli;

import jakarta.jms.Connection;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
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
 * The demo's Artemis broker, embedded in the process that runs the transfers and reached through an
 * in-VM acceptor (no port). It is persistent, its journal under the demo directory, so a message
 * prepared in a transaction survives the JVM halting and waits there for recovery.
 */
final class EmbeddedBroker implements AutoCloseable {
    private final EmbeddedActiveMQ server;
    private final String url;

    private EmbeddedBroker(EmbeddedActiveMQ server, String url) {
        this.server = server;
        this.url = url;
    }

    static EmbeddedBroker start(Path dir) throws Exception {
        String url = "vm://" + ThreadLocalRandom.current().nextInt(1, Integer.MAX_VALUE);
        Configuration c = new ConfigurationImpl();
        c.setName("pledge-demo");
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
        c.addAcceptorConfiguration("in-vm", url);
        // no auto-delete: on start Artemis removes empty auto-created queues, losing the messages of prepared transactions
        c.addAddressSetting("#", new AddressSettings().setAutoCreateQueues(true).setAutoCreateAddresses(true).setAutoDeleteQueues(false)
                .setAutoDeleteAddresses(false).setDeadLetterAddress(SimpleString.of("DLQ")).setExpiryAddress(SimpleString.of("ExpiryQueue")));
        EmbeddedActiveMQ server = new EmbeddedActiveMQ();
        server.setConfiguration(c);
        server.start();
        return new EmbeddedBroker(server, url);
    }

    ActiveMQXAConnectionFactory xaConnectionFactory() {
        return new ActiveMQXAConnectionFactory(url);
    }

    /** Messages waiting in the queue; 0 if it does not exist. */
    long messageCount(String queue) {
        Queue q = server.getActiveMQServer().locateQueue(SimpleString.of(queue));
        return q == null ? 0 : q.getMessageCount();
    }

    /** Takes every message out of the queue and returns their text bodies. */
    List<String> drain(String queue) throws JMSException {
        long expected = messageCount(queue);
        List<String> bodies = new ArrayList<>();
        try (ActiveMQConnectionFactory cf = new ActiveMQConnectionFactory(url);
             Connection c = cf.createConnection()) {
            c.start();
            Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
            MessageConsumer consumer = s.createConsumer(s.createQueue(queue));
            for (long i = 0; i < expected; i++) {
                Message m = consumer.receive(5_000);
                if (m == null) {
                    throw new IllegalStateException("queue " + queue + " held " + expected + " messages but only " + i + " arrived");
                }
                bodies.add(((TextMessage) m).getText());
            }
            Message extra;
            while ((extra = consumer.receive(100)) != null) {
                bodies.add(((TextMessage) extra).getText());
            }
        }
        return bodies;
    }

    @Override
    public void close() throws Exception {
        server.stop();
    }
}
