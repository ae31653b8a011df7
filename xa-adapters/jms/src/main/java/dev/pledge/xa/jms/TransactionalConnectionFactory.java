package dev.pledge.xa.jms;

import dev.pledge.tm.TransactionService;
import jakarta.jms.Connection;
import jakarta.jms.ConnectionFactory;
import jakarta.jms.JMSContext;
import jakarta.jms.JMSException;
import jakarta.jms.XAConnectionFactory;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A pooling {@link ConnectionFactory} whose sessions take part in Pledge transactions: a session
 * created while the calling thread has a transaction is enlisted in it (under this factory's name,
 * which is what the recovery log records), and goes back to the pool when the transaction ends.
 * Outside a transaction, sessions behave as non-transacted ones.
 * <p>
 * Pooling is pooled-jms's {@code JmsPoolXAConnectionFactory}. The factory registers itself with
 * {@code svc.recovery()} under its name, so a restarted service can finish in-doubt branches on the
 * broker. Close it to stop the pool and withdraw the registration.
 */
public final class TransactionalConnectionFactory implements ConnectionFactory, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(TransactionalConnectionFactory.class);

    private final String name;
    private final TransactionService service;
    private final NamingXAConnectionPool pool;
    /** What this factory registered for recovery, so that closing withdraws only its own registration. */
    private final java.util.function.Supplier<javax.transaction.xa.XAResource> recoveryRegistration;

    private TransactionalConnectionFactory(Builder b) {
        this.name = b.name;
        this.service = b.service;
        this.pool = new NamingXAConnectionPool(b.name);
        pool.setConnectionFactory(b.xaConnectionFactory);
        pool.setTransactionManager(b.service.transactionManager());
        pool.setMaxConnections(b.maxConnections);
        pool.setMaxSessionsPerConnection(b.maxSessionsPerConnection);
        pool.start();
        this.recoveryRegistration = JmsRecoveryResource.supplier(name, b.xaConnectionFactory);
        service.recovery().register(name, recoveryRegistration);
        log.info("Transactional JMS connection factory '{}' started (max {} connections, {} sessions each)", name, b.maxConnections,
                b.maxSessionsPerConnection);
    }

    /** Starts a builder for a factory of the given service. */
    public static Builder builder(TransactionService service) {
        return new Builder(service);
    }

    /**
     * What recovery opens for a factory named {@code name} on {@code factory}, for registering it with a
     * service before the factory itself is built (e.g. {@code TransactionService.Builder.recoveryResource},
     * so that the start-up pass finds the broker); {@link Builder#build()} registers the same.
     */
    public static java.util.function.Supplier<javax.transaction.xa.XAResource> recoveryResource(String name, XAConnectionFactory factory) {
        return JmsRecoveryResource.supplier(Objects.requireNonNull(name, "name"), Objects.requireNonNull(factory, "factory"));
    }

    /** The resource name: in the recovery log next to each branch, and the recovery registration. */
    public String name() {
        return name;
    }

    @Override
    public Connection createConnection() throws JMSException {
        return pool.createConnection();
    }

    @Override
    public Connection createConnection(String userName, String password) throws JMSException {
        return pool.createConnection(userName, password);
    }

    @Override
    public JMSContext createContext() {
        return pool.createContext();
    }

    @Override
    public JMSContext createContext(String userName, String password) {
        return pool.createContext(userName, password);
    }

    @Override
    public JMSContext createContext(String userName, String password, int sessionMode) {
        return pool.createContext(userName, password, sessionMode);
    }

    @Override
    public JMSContext createContext(int sessionMode) {
        return pool.createContext(sessionMode);
    }

    /** Closes the pooled connections and withdraws the recovery registration. */
    @Override
    public void close() {
        service.recovery().unregister(name, recoveryRegistration); // not a successor's registration under the same name
        pool.stop();
        log.info("Transactional JMS connection factory '{}' closed", name);
    }

    @Override
    public String toString() {
        return "TransactionalConnectionFactory[" + name + "]";
    }

    /** Collects the factory's settings; {@link #build()} starts the pool and registers for recovery. */
    public static final class Builder {
        private final TransactionService service;
        private String name;
        private XAConnectionFactory xaConnectionFactory;
        private int maxConnections = 1;
        private int maxSessionsPerConnection = 500;

        private Builder(TransactionService service) {
            this.service = Objects.requireNonNull(service, "service");
        }

        /** Resource name for the log and recovery; unique per broker within one service. Required. */
        public Builder name(String name) {
            this.name = Objects.requireNonNull(name, "name");
            return this;
        }

        /** The provider's XA connection factory (Artemis: {@code ActiveMQXAConnectionFactory}). Required. */
        public Builder xaConnectionFactory(XAConnectionFactory factory) {
            this.xaConnectionFactory = Objects.requireNonNull(factory, "xaConnectionFactory");
            return this;
        }

        /** Most pooled connections to the broker; default 1. */
        public Builder maxConnections(int max) {
            if (max < 1) {
                throw new IllegalArgumentException("maxConnections must be at least 1, not " + max);
            }
            this.maxConnections = max;
            return this;
        }

        /** Most sessions open at once on one pooled connection; default 500. */
        public Builder maxSessionsPerConnection(int max) {
            if (max < 1) {
                throw new IllegalArgumentException("maxSessionsPerConnection must be at least 1, not " + max);
            }
            this.maxSessionsPerConnection = max;
            return this;
        }

        /** Validates, starts the pool and registers the factory with the service's recovery. */
        public TransactionalConnectionFactory build() {
            if (name == null || name.isBlank()) {
                throw new IllegalStateException("name is required: it is the resource name in the recovery log");
            }
            if (xaConnectionFactory == null) {
                throw new IllegalStateException("xaConnectionFactory is required");
            }
            return new TransactionalConnectionFactory(this);
        }
    }
}
