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
        return wrapConnectionFactory(jms.getName(), connectionFactory);
    }

    /** A Pledge factory named {@code name} over the provider's XA factory, with the {@code pledge.jms.*} pool settings. */
    public TransactionalConnectionFactory wrapConnectionFactory(String name, XAConnectionFactory connectionFactory) {
        return TransactionalConnectionFactory.builder(service)
                .name(name)
                .xaConnectionFactory(connectionFactory)
                .maxConnections(jms.getMaxConnections())
                .maxSessionsPerConnection(jms.getMaxSessionsPerConnection())
                .build();
    }
}
