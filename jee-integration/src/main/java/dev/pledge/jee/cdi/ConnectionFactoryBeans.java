package dev.pledge.jee.cdi;

import dev.pledge.jee.ServiceConfiguration.ConnectionFactorySettings;
import dev.pledge.jee.naming.ConfiguredConnectionFactories;
import dev.pledge.tm.TransactionService;
import dev.pledge.xa.jms.TransactionalConnectionFactory;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Default;
import jakarta.enterprise.inject.literal.NamedLiteral;
import jakarta.enterprise.inject.spi.AfterBeanDiscovery;
import jakarta.enterprise.inject.spi.configurator.BeanConfigurator;
import jakarta.inject.Singleton;
import jakarta.jms.ConnectionFactory;
import java.util.Collection;
import java.util.function.Supplier;

/**
 * The beans of the JMS connection factories declared with {@code pledge.jms.NAME.*}: one
 * {@code @Named("NAME")} {@link ConnectionFactory} each (also {@code @Default} when it is the only
 * one), closed at shutdown. Kept apart from {@link PledgeExtension} because pledge-xa-jms and the JMS
 * API are optional: this class is loaded only when a connection factory is declared.
 */
final class ConnectionFactoryBeans {
    private ConnectionFactoryBeans() {
    }

    static void add(AfterBeanDiscovery abd, Collection<ConnectionFactorySettings> factories, Supplier<TransactionService> service,
            ClassLoader loader) {
        boolean onlyOne = factories.size() == 1;
        for (ConnectionFactorySettings cf : factories) {
            // @Singleton: TransactionalConnectionFactory is final, so not proxyable; one pool per name
            BeanConfigurator<ConnectionFactory> bean = abd.<ConnectionFactory>addBean().beanClass(PledgeExtension.class)
                    .types(ConnectionFactory.class, TransactionalConnectionFactory.class, Object.class)
                    .scope(Singleton.class).id("pledge-jms-" + cf.name())
                    .qualifiers(NamedLiteral.of(cf.name()), Any.Literal.INSTANCE)
                    .createWith(c -> ConfiguredConnectionFactories.build(cf, service.get(), loader))
                    .destroyWith((instance, c) -> ((TransactionalConnectionFactory) instance).close());
            if (onlyOne) {
                bean.addQualifier(Default.Literal.INSTANCE);
            }
        }
    }
}
