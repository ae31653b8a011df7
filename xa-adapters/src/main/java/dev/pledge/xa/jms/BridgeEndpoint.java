package dev.pledge.xa.jms;

import dev.pledge.tm.PledgeXAResource;
import jakarta.jms.JMSException;
import jakarta.jms.XAConnection;
import jakarta.jms.XAConnectionFactory;
import jakarta.jms.XASession;
import java.util.ArrayList;
import java.util.List;
import javax.transaction.xa.XAResource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One broker as the bridge sees it: an XA connection with one working XA session, kept open across
 * batches, and for a pipelined bridge as many control sessions as batches may commit at once. Each
 * batch enlists the endpoint's {@link BridgeXAResource} (named for the log) in its transaction.
 */
final class BridgeEndpoint implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(BridgeEndpoint.class);

    private final String resourceName;
    private final XAConnection connection;
    private final XASession session;
    private final PledgeXAResource xaResource;

    private BridgeEndpoint(String resourceName, XAConnection connection, XASession session, List<XAResource> control, boolean ordered,
            long orderWaitMillis) throws JMSException {
        this.resourceName = resourceName;
        this.connection = connection;
        this.session = session;
        this.xaResource = PledgeXAResource.named(resourceName, true,
                new BridgeXAResource(resourceName, session.getXAResource(), control, ordered, orderWaitMillis));
    }

    /**
     * Connects; {@code controlSessions} > 0 opens that many control sessions for completing branches,
     * {@code ordered} keeps the commits in the order the branches started (see {@link BridgeXAResource}).
     */
    static BridgeEndpoint open(String resourceName, XAConnectionFactory factory, int controlSessions, boolean ordered, long orderWaitMillis)
            throws JMSException {
        XAConnection connection = factory.createXAConnection();
        try {
            XASession session = connection.createXASession();
            List<XAResource> control = new ArrayList<>(controlSessions);
            for (int i = 0; i < controlSessions; i++) {
                control.add(connection.createXASession().getXAResource());
            }
            BridgeEndpoint e = new BridgeEndpoint(resourceName, connection, session, control, ordered, orderWaitMillis);
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
