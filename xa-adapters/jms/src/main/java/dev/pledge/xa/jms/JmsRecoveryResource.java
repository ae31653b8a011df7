package dev.pledge.xa.jms;

import dev.pledge.tm.PledgeXAResource;
import jakarta.jms.JMSException;
import jakarta.jms.XAConnection;
import jakarta.jms.XAConnectionFactory;
import jakarta.jms.XASession;
import java.util.function.Supplier;
import javax.transaction.xa.XAResource;

/**
 * A recovery supplier for a JMS provider: each call opens a fresh XA connection and session and
 * returns the session's XAResource, named, closing both when recovery closes it after its pass.
 */
final class JmsRecoveryResource {
    private JmsRecoveryResource() {
    }

    static Supplier<XAResource> supplier(String resourceName, XAConnectionFactory factory) {
        return () -> {
            XAConnection connection = null;
            try {
                connection = factory.createXAConnection();
                XASession session = connection.createXASession();
                XAConnection toClose = connection;
                return PledgeXAResource.named(resourceName, true, session.getXAResource(), toClose::close);
            } catch (JMSException e) {
                closeQuietly(connection);
                throw new IllegalStateException("cannot open an XA session on " + resourceName + ": " + e.getMessage(), e);
            } catch (RuntimeException e) {
                closeQuietly(connection);
                throw e;
            }
        };
    }

    private static void closeQuietly(XAConnection c) {
        if (c != null) {
            try {
                c.close();
            } catch (JMSException | RuntimeException ignored) {
                // already failing
            }
        }
    }
}
