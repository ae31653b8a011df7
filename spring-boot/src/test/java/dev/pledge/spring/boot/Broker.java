package dev.pledge.spring.boot;

import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import jakarta.jms.Connection;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import org.apache.activemq.artemis.api.core.TransportConfiguration;
import org.apache.activemq.artemis.core.config.impl.ConfigurationImpl;
import org.apache.activemq.artemis.core.remoting.impl.netty.NettyAcceptorFactory;
import org.apache.activemq.artemis.core.server.embedded.EmbeddedActiveMQ;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;

/**
 * An Artemis broker embedded in the test JVM, listening on a loopback TCP port, so that an
 * application in a child JVM can be killed without killing the broker.
 */
public final class Broker implements AutoCloseable {
    private final EmbeddedActiveMQ server = new EmbeddedActiveMQ();
    private final int port;

    private Broker(int port) {
        this.port = port;
    }

    /** Starts a broker with its journal under {@code dir}. */
    public static Broker start(Path dir) throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Broker b = new Broker(port);
        ConfigurationImpl config = new ConfigurationImpl();
        config.setName("pledge-boot-test");
        config.setPersistenceEnabled(true);
        config.setJournalDirectory(dir.resolve("journal").toString());
        config.setBindingsDirectory(dir.resolve("bindings").toString());
        config.setLargeMessagesDirectory(dir.resolve("large").toString());
        config.setPagingDirectory(dir.resolve("paging").toString());
        config.setJournalSyncTransactional(false);
        config.setJournalSyncNonTransactional(false);
        config.setSecurityEnabled(false);
        config.addAcceptorConfiguration(new TransportConfiguration(NettyAcceptorFactory.class.getName(),
                java.util.Map.of("host", "127.0.0.1", "port", port)));
        b.server.setConfiguration(config);
        b.server.start();
        return b;
    }

    public String url() {
        return "tcp://127.0.0.1:" + port;
    }

    /** Receives (and acknowledges) every text message now on {@code queue}, waiting {@code lastWaitMillis} for stragglers. */
    public List<String> drain(String queue, long lastWaitMillis) throws JMSException {
        List<String> out = new ArrayList<>();
        ActiveMQConnectionFactory cf = new ActiveMQConnectionFactory(url());
        try (Connection c = cf.createConnection()) {
            c.start();
            Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
            MessageConsumer consumer = s.createConsumer(s.createQueue(queue));
            Message m;
            while ((m = consumer.receive(lastWaitMillis)) != null) {
                out.add(((TextMessage) m).getText());
            }
        } finally {
            cf.close();
        }
        return out;
    }

    /** Sends a text message outside any transaction. */
    public void send(String queue, String text) throws JMSException {
        ActiveMQConnectionFactory cf = new ActiveMQConnectionFactory(url());
        try (Connection c = cf.createConnection()) {
            Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
            s.createProducer(s.createQueue(queue)).send(s.createTextMessage(text));
        } finally {
            cf.close();
        }
    }

    @Override
    public void close() throws Exception {
        server.stop();
    }
}
