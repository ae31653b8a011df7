package dev.pledge.jee.naming;

import dev.pledge.jee.ServiceConfiguration.ConnectionFactorySettings;
import dev.pledge.jee.ServiceConfiguration.Setting;
import dev.pledge.tm.TransactionService;
import dev.pledge.xa.jms.TransactionalConnectionFactory;
import jakarta.jms.XAConnectionFactory;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.function.IntConsumer;

/**
 * Makes the JMS connection factories declared with {@code pledge.jms.NAME.*} (see
 * {@link ConnectionFactorySettings}): the provider's XA connection factory with its properties set,
 * the pooling {@link TransactionalConnectionFactory} on a service, and the recovery registration of
 * the first pass. The only class of the configuration path that touches pledge-xa-jms and the JMS
 * API, both optional: it is loaded only when a connection factory is declared.
 */
public final class ConfiguredConnectionFactories {
    private ConfiguredConnectionFactories() {
    }

    /** The provider's XA connection factory that {@code cf} declares, with every other key set through its setter. */
    public static XAConnectionFactory xaConnectionFactory(ConnectionFactorySettings cf, ClassLoader loader) {
        Object made;
        try {
            made = References.instantiate(cf.xaFactoryClass(), XAConnectionFactory.class, loader);
            for (Map.Entry<String, Setting> p : cf.properties().entrySet()) {
                List<String> names = p.getKey().equals("url") ? List.of("url", "brokerURL") : List.of(p.getKey());
                BeanProperties.set(made, names, p.getValue());
            }
        } catch (ReflectiveOperationException e) {
            throw new IllegalArgumentException(cf.origin() + ": cannot create " + cf.xaFactoryClass().value().trim() + " (" + e + ")", e);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("JMS connection factory '" + cf.name() + "' (" + cf.origin() + "): " + e.getMessage(), e);
        }
        return (XAConnectionFactory) made;
    }

    /** The pooling factory on {@code service}: enlisting, registered for recovery under its name. Close it at shutdown. */
    public static TransactionalConnectionFactory build(ConnectionFactorySettings cf, TransactionService service, ClassLoader loader) {
        TransactionalConnectionFactory.Builder b = TransactionalConnectionFactory.builder(service).name(cf.name())
                .xaConnectionFactory(xaConnectionFactory(cf, loader));
        poolSetting(cf, cf.maxConnections(), b::maxConnections);
        poolSetting(cf, cf.maxSessionsPerConnection(), b::maxSessionsPerConnection);
        return b.build();
    }

    /** Gives the whole number {@code s} holds, if set, to {@code setter}; a value refused fails naming the factory, the key, the value and its origin. */
    private static void poolSetting(ConnectionFactorySettings cf, Setting s, IntConsumer setter) {
        if (s == null) {
            return;
        }
        try {
            References.integer(s, setter);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("JMS connection factory '" + cf.name() + "': " + e.getMessage(), e);
        }
    }

    /** Registers each factory for the first recovery pass, which {@code build()} of the service runs. */
    public static void registerForRecovery(TransactionService.Builder service, Collection<ConnectionFactorySettings> factories,
            ClassLoader loader) {
        for (ConnectionFactorySettings cf : factories) {
            service.recoveryResource(cf.name(), TransactionalConnectionFactory.recoveryResource(cf.name(), xaConnectionFactory(cf, loader)));
        }
    }
}
