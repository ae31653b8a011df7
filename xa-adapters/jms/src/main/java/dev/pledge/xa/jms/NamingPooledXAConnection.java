package dev.pledge.xa.jms;

import dev.pledge.tm.PledgeXAResource;
import jakarta.jms.Connection;
import jakarta.jms.JMSException;
import jakarta.transaction.TransactionManager;
import javax.transaction.xa.XAResource;
import org.messaginghub.pooled.jms.JmsPoolSession;
import org.messaginghub.pooled.jms.pool.PooledXAConnection;

/**
 * A pooled-jms XA connection whose sessions enlist under a Pledge resource name. pooled-jms calls
 * {@link #createXaResource} right before it enlists a session in the current transaction: the
 * wrapper it returns is what Pledge sees, so the log records the configured name rather than the
 * provider's class name.
 */
final class NamingPooledXAConnection extends PooledXAConnection {
    private final String resourceName;

    NamingPooledXAConnection(Connection connection, TransactionManager tm, String resourceName) {
        super(connection, tm);
        this.resourceName = resourceName;
    }

    @Override
    protected XAResource createXaResource(JmsPoolSession session) throws JMSException {
        return PledgeXAResource.named(resourceName, true, session.getXAResource());
    }
}
