package dev.pledge.xa.jms;

import dev.pledge.tm.PledgeXAResource;
import jakarta.jms.JMSException;
import jakarta.jms.XAConnection;
import jakarta.jms.XAConnectionFactory;
import jakarta.jms.XASession;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import javax.transaction.xa.XAResource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One broker as the bridge sees it: an XA connection kept open across batches, with one working XA
 * session (the source's consumer, the target's producer) or, for a pipelined target, two used in
 * turn, so the next batch need not wait for the last one's end; and for a pipelined bridge as many
 * control sessions as batches may commit at once. Each batch enlists a working session's
 * {@link BridgeXAResource}, named for the log, in its transaction.
 */
final class BridgeEndpoint implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(BridgeEndpoint.class);

    private final String resourceName;
    private final XAConnection connection;
    private final List<XASession> sessions;
    private final List<PledgeXAResource> xaResources;

    private BridgeEndpoint(String resourceName, XAConnection connection, List<XASession> sessions, List<PledgeXAResource> xaResources) {
        this.resourceName = resourceName;
        this.connection = connection;
        this.sessions = sessions;
        this.xaResources = xaResources;
    }

    /**
     * Connects with {@code workingSessions} working sessions; {@code controlSessions} > 0 opens that
     * many control sessions for completing branches; {@code ordered} keeps the commits in the order the
     * branches started (see {@link CommitOrder}); waits are bounded by {@code waitMillis}.
     */
    static BridgeEndpoint open(String resourceName, XAConnectionFactory factory, int workingSessions, int controlSessions, boolean ordered,
            long waitMillis) throws JMSException {
        XAConnection connection = factory.createXAConnection();
        try {
            BlockingQueue<XAResource> control = null;
            if (controlSessions > 0) {
                control = new ArrayBlockingQueue<>(controlSessions);
                for (int i = 0; i < controlSessions; i++) {
                    control.add(connection.createXASession().getXAResource());
                }
            }
            CommitOrder order = ordered ? new CommitOrder(resourceName, waitMillis) : null;
            List<XASession> sessions = new ArrayList<>(workingSessions);
            List<PledgeXAResource> resources = new ArrayList<>(workingSessions);
            for (int i = 0; i < workingSessions; i++) {
                XASession session = connection.createXASession();
                sessions.add(session);
                resources.add(PledgeXAResource.named(resourceName, true,
                        new BridgeXAResource(resourceName, session.getXAResource(), control, order, waitMillis)));
            }
            BridgeEndpoint e = new BridgeEndpoint(resourceName, connection, List.copyOf(sessions), List.copyOf(resources));
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

    int workingSessions() {
        return sessions.size();
    }

    XASession session(int i) {
        return sessions.get(i);
    }

    PledgeXAResource xaResource(int i) {
        return xaResources.get(i);
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
