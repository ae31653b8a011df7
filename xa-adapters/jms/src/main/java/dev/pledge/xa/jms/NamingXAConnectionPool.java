package dev.pledge.xa.jms;

import jakarta.jms.Connection;
import org.messaginghub.pooled.jms.JmsPoolXAConnectionFactory;
import org.messaginghub.pooled.jms.pool.PooledXAConnection;

/** pooled-jms's XA pool, with every pooled connection naming its enlisted sessions. */
final class NamingXAConnectionPool extends JmsPoolXAConnectionFactory {
    private static final long serialVersionUID = 1L;

    private final String resourceName;

    NamingXAConnectionPool(String resourceName) {
        this.resourceName = resourceName;
    }

    @Override
    protected PooledXAConnection createPooledConnection(Connection connection) {
        return new NamingPooledXAConnection(connection, getTransactionManager(), resourceName);
    }
}
