package dev.pledge.spring.boot;

import dev.pledge.tm.TransactionService;
import dev.pledge.xa.jms.TransactionalConnectionFactory;
import jakarta.jms.ConnectionFactory;
import jakarta.jms.XAConnectionFactory;
import org.springframework.boot.jms.XAConnectionFactoryWrapper;

/**
 * Boot's hook for XA connection factories: the factory Boot's broker auto-configuration (Artemis)
 * builds becomes a Pledge {@link TransactionalConnectionFactory} named {@code pledge.jms.name}
 * (default {@code jmsConnectionFactory}, the bean name Boot gives it) in the log and for recovery.
 */
public final class PledgeXAConnectionFactoryWrapper implements XAConnectionFactoryWrapper {
    private final TransactionService service;
    private final PledgeProperties.Jms jms;

    PledgeXAConnectionFactoryWrapper(TransactionService service, PledgeProperties.Jms jms) {
        this.service = service;
        this.jms = jms;
    }

    @Override
    public ConnectionFactory wrapConnectionFactory(XAConnectionFactory connectionFactory) {
        String name = jms.getName();
        if (name == null || name.isBlank()) {
            throw new InvalidPledgePropertyException("pledge.jms.name", name == null ? "" : name, "must not be blank: it is the resource name in the log");
        }
        return wrapConnectionFactory(name, connectionFactory);
    }

    /** A Pledge factory named {@code name} over the provider's XA factory, with the {@code pledge.jms.*} pool settings. */
    public TransactionalConnectionFactory wrapConnectionFactory(String name, XAConnectionFactory connectionFactory) {
        // reported by property name (Boot's failure report names it), as the data sources' pool settings are
        if (jms.getMaxConnections() < 1) {
            throw new InvalidPledgePropertyException("pledge.jms.max-connections", jms.getMaxConnections(), "must be at least 1");
        }
        if (jms.getMaxSessionsPerConnection() < 1) {
            throw new InvalidPledgePropertyException("pledge.jms.max-sessions-per-connection", jms.getMaxSessionsPerConnection(),
                    "must be at least 1");
        }
        return TransactionalConnectionFactory.builder(service)
                .name(name)
                .xaConnectionFactory(connectionFactory)
                .maxConnections(jms.getMaxConnections())
                .maxSessionsPerConnection(jms.getMaxSessionsPerConnection())
                .build();
    }
}
