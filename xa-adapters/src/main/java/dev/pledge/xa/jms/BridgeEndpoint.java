package dev.pledge.xa.jms;

import dev.pledge.tm.PledgeXAResource;
import jakarta.jms.JMSException;
import jakarta.jms.XAConnection;
import jakarta.jms.XAConnectionFactory;
import jakarta.jms.XASession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One broker as the bridge sees it: an XA connection with one XA session, kept open across
 * batches. Each batch enlists the session's XAResource (named for the log) in its transaction.
 */
final class BridgeEndpoint implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(BridgeEndpoint.class);

    private final String resourceName;
    private final XAConnection connection;
    private final XASession session;
    private final PledgeXAResource xaResource;

    private BridgeEndpoint(String resourceName, XAConnection connection, XASession session) throws JMSException {
        this.resourceName = resourceName;
        this.connection = connection;
        this.session = session;
        this.xaResource = PledgeXAResource.named(resourceName, true, session.getXAResource());
    }

    static BridgeEndpoint open(String resourceName, XAConnectionFactory factory) throws JMSException {
        XAConnection connection = factory.createXAConnection();
        try {
            XASession session = connection.createXASession();
            BridgeEndpoint e = new BridgeEndpoint(resourceName, connection, session);
            connection.start();
            return e;
        } catch (JMSException | RuntimeException e) {
            try {
                connection.close();
            } catch (JMSException | RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    XASession session() {
        return session;
    }

    PledgeXAResource xaResource() {
        return xaResource;
    }

    @Override
    public void close() {
        try {
            connection.close();
        } catch (JMSException | RuntimeException e) {
            log.debug("Closing the connection to {} failed: {}", resourceName, e.toString());
        }
    }
}
