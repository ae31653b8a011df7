package dev.pledge.xa.jms;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import org.apache.activemq.artemis.api.core.ActiveMQNotConnectedException;
import org.apache.activemq.artemis.api.core.SimpleString;
import org.apache.activemq.artemis.core.config.Configuration;
import org.apache.activemq.artemis.core.config.impl.ConfigurationImpl;
import org.apache.activemq.artemis.core.server.JournalType;
import org.apache.activemq.artemis.core.server.Queue;
import org.apache.activemq.artemis.core.server.embedded.EmbeddedActiveMQ;
import org.apache.activemq.artemis.core.server.plugin.ActiveMQServerBasePlugin;
import org.apache.activemq.artemis.core.settings.impl.AddressSettings;
import org.apache.activemq.artemis.jms.client.ActiveMQXAConnectionFactory;
import org.apache.activemq.artemis.spi.core.protocol.RemotingConnection;

/**
 * A persistent embedded Artemis broker on a TCP port of 127.0.0.1, its journal under a test
 * directory so that a restart keeps prepared transactions. Redelivery limits are off unless asked
 * for: the bridge under test decides about dead letters.
 */
final class TestBroker implements AutoCloseable {
    private final String name;
    private final Path dir;
    private final int port;
    private final ActiveMQServerBasePlugin[] plugins;
    private final int maxDeliveryAttempts;
    private final boolean autoDelete;
    private final boolean autoCreate;
    private EmbeddedActiveMQ server;

    private TestBroker(String name, Path dir, int port, int maxDeliveryAttempts, boolean autoDelete, boolean autoCreate,
            ActiveMQServerBasePlugin[] plugins) {
        this.name = name;
        this.dir = dir;
        this.port = port;
        this.maxDeliveryAttempts = maxDeliveryAttempts;
        this.autoDelete = autoDelete;
        this.autoCreate = autoCreate;
        this.plugins = plugins;
    }

    /**
     * A broker that auto-creates queues but never auto-deletes them: Artemis removes an empty
     * auto-created queue when it starts (ARTEMIS-3525) without counting the messages that prepared
     * transactions hold for it, so committing such a transaction after a restart routes its
     * messages nowhere.
     */
    static TestBroker start(String name, Path dir, ActiveMQServerBasePlugin... plugins) throws Exception {
        TestBroker b = new TestBroker(name, dir, freePort(), -1, false, true, plugins);
        b.startServer();
        return b;
    }

    /** A broker with Artemis's own redelivery limit (max-delivery-attempts 10, no dead-letter address): it drops a message after 10 failed deliveries. */
    static TestBroker startWithArtemisRedeliveryDefaults(String name, Path dir) throws Exception {
        TestBroker b = new TestBroker(name, dir, freePort(), new AddressSettings().getMaxDeliveryAttempts(), false, true, new ActiveMQServerBasePlugin[0]);
        b.startServer();
        return b;
    }

    /** A broker with Artemis's default auto-delete of auto-created queues and addresses. */
    static TestBroker startWithAutoDelete(String name, Path dir) throws Exception {
        TestBroker b = new TestBroker(name, dir, freePort(), -1, true, true, new ActiveMQServerBasePlugin[0]);
        b.startServer();
        return b;
    }

    /** A broker that creates no queue or address on demand: it has none, and refuses a client's use of one. */
    static TestBroker startWithoutAutoCreate(String name, Path dir) throws Exception {
        TestBroker b = new TestBroker(name, dir, freePort(), -1, false, false, new ActiveMQServerBasePlugin[0]);
        b.startServer();
        return b;
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        }
    }

    private void startServer() throws Exception {
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
        c.setJournalFileSize(2 * 1024 * 1024);
        c.setJournalMinFiles(2);
        c.setCriticalAnalyzer(false);
        c.setJMXManagementEnabled(false);
        c.addAcceptorConfiguration("tcp", "tcp://127.0.0.1:" + port);
        AddressSettings settings = new AddressSettings().setMaxDeliveryAttempts(maxDeliveryAttempts).setAutoCreateQueues(autoCreate)
                .setAutoCreateAddresses(autoCreate);
        if (!autoDelete) {
            settings.setAutoDeleteQueues(false).setAutoDeleteAddresses(false);
        }
        c.addAddressSetting("#", settings);
        for (ActiveMQServerBasePlugin p : plugins) {
            c.registerBrokerPlugin(p);
        }
        EmbeddedActiveMQ s = new EmbeddedActiveMQ();
        s.setConfiguration(c);
        s.start();
        server = s;
    }

    String url() {
        return "tcp://127.0.0.1:" + port;
    }

    ActiveMQXAConnectionFactory xaConnectionFactory() {
        return new ActiveMQXAConnectionFactory(url());
    }

    /** Messages in the queue, counting those delivered but not yet acknowledged; 0 if it does not exist. */
    long messageCount(String queue) {
        Queue q = server.getActiveMQServer().locateQueue(SimpleString.of(queue));
        return q == null ? 0 : q.getMessageCount();
    }

    /** Connections the broker has open now. */
    int connectionCount() {
        return server.getActiveMQServer().getConnectionCount();
    }

    /** Fails every client connection on the broker's side, as when the client's process dies. */
    void failConnections() {
        for (RemotingConnection c : server.getActiveMQServer().getRemotingService().getConnections()) {
            c.fail(new ActiveMQNotConnectedException("connection failed by the test"));
        }
    }

    /** Sessions the broker has open now (a failed connection's sessions close asynchronously). */
    int sessionCount() {
        return server.getActiveMQServer().getSessions().size();
    }

    void stop() throws Exception {
        if (server != null) {
            server.stop();
            server = null;
        }
    }

    void restart() throws Exception {
        stop();
        startServer();
    }

    @Override
    public void close() throws Exception {
        stop();
    }
}
