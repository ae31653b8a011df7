package dev.pledge.spring.boot;

import dev.pledge.tm.PledgeMeterBinder;
import dev.pledge.tm.TransactionService;
import dev.pledge.xa.jdbc.TransactionalDataSource;
import dev.pledge.xa.jms.TransactionalConnectionFactory;
import jakarta.transaction.TransactionSynchronizationRegistry;
import jakarta.transaction.UserTransaction;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.jdbc.XADataSourceWrapper;
import org.springframework.boot.jms.XAConnectionFactoryWrapper;
import org.springframework.boot.transaction.autoconfigure.TransactionManagerCustomizers;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.transaction.jta.JtaTransactionManager;

/**
 * Pledge as the application's transaction manager: a {@link TransactionService} built from
 * {@code pledge.*} (drained and closed with the context), Spring's {@link JtaTransactionManager} over it as
 * the {@code PlatformTransactionManager}, Boot's XA hooks for JDBC and JMS, the
 * {@code pledge.datasources.*} data sources, and (when on the class path) Micrometer meters, an
 * actuator health indicator and OpenTelemetry tracing through the application's {@code OpenTelemetry} bean. Each part backs off when the application defines its own.
 */
@AutoConfiguration(beforeName = {
        "org.springframework.boot.transaction.jta.autoconfigure.JtaAutoConfiguration",
        "org.springframework.boot.transaction.autoconfigure.TransactionAutoConfiguration",
        "org.springframework.boot.transaction.autoconfigure.TransactionManagerCustomizationAutoConfiguration",
        "org.springframework.boot.jdbc.autoconfigure.XADataSourceAutoConfiguration",
        "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration",
        "org.springframework.boot.jdbc.autoconfigure.DataSourceTransactionManagerAutoConfiguration",
        "org.springframework.boot.hibernate.autoconfigure.HibernateJpaAutoConfiguration",
        "org.springframework.boot.jms.autoconfigure.JmsAutoConfiguration",
        "org.springframework.boot.artemis.autoconfigure.ArtemisAutoConfiguration"})
@ConditionalOnClass({TransactionService.class, JtaTransactionManager.class})
@EnableConfigurationProperties(PledgeProperties.class)
public class PledgeAutoConfiguration {

    /** The transaction service from {@code pledge.*}, unless the application has its own. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnMissingBean(TransactionService.class)
    static class Service {
        /** Closed (after the beans that use it) when the context closes. */
        @Bean(destroyMethod = "close")
        TransactionService pledgeTransactionService(PledgeProperties properties, ObjectProvider<TransactionServiceCustomizer> customizers) {
            return TransactionServiceFactory.create(properties, customizers.orderedStream().toList());
        }

        /** Its recovery passes: at start-up, then every {@code pledge.recovery-interval}. */
        @Bean
        RecoveryPasses pledgeRecoveryPasses(TransactionService service, PledgeProperties properties) {
            return new RecoveryPasses(service, properties.getRecoveryInterval());
        }
    }

    @Bean
    @ConditionalOnMissingBean(org.springframework.transaction.TransactionManager.class)
    JtaTransactionManager transactionManager(TransactionService service, ObjectProvider<TransactionManagerCustomizers> customizers) {
        JtaTransactionManager tm = new JtaTransactionManager(service.userTransaction(), service.transactionManager());
        tm.setTransactionSynchronizationRegistry(service.synchronizationRegistry());
        customizers.ifAvailable(c -> c.customize(tm));
        return tm;
    }

    @Bean
    @ConditionalOnMissingBean
    jakarta.transaction.TransactionManager pledgeJtaTransactionManager(TransactionService service) {
        return service.transactionManager();
    }

    @Bean
    @ConditionalOnMissingBean
    UserTransaction pledgeUserTransaction(TransactionService service) {
        return service.userTransaction();
    }

    @Bean
    @ConditionalOnMissingBean
    TransactionSynchronizationRegistry pledgeSynchronizationRegistry(TransactionService service) {
        return service.synchronizationRegistry();
    }

    /** For the application's own service: a pass at start-up only (its own background passes do the rest). */
    @Bean
    @ConditionalOnMissingBean
    RecoveryPasses pledgeStartupRecoveryPass(TransactionService service) {
        return new RecoveryPasses(service, java.time.Duration.ZERO);
    }

    @Bean
    DrainOnShutdown pledgeDrainOnShutdown(TransactionService service, PledgeProperties properties) {
        java.time.Duration timeout = properties.getShutdownTimeout();
        if (timeout == null || timeout.isNegative()) {
            throw new InvalidPledgePropertyException("pledge.shutdown-timeout", timeout, "must be zero or positive");
        }
        return new DrainOnShutdown(service, timeout);
    }

    /** Boot's {@code spring.datasource.*} data source and the {@code pledge.datasources.*} ones become Pledge's. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass({XADataSourceWrapper.class, TransactionalDataSource.class})
    @Import(NamedDataSourcesRegistrar.class)
    static class Jdbc {
        @Bean
        @ConditionalOnMissingBean(XADataSourceWrapper.class)
        PledgeXADataSourceWrapper pledgeXaDataSourceWrapper(TransactionService service, PledgeProperties properties) {
            return new PledgeXADataSourceWrapper(service, properties.getDatasource());
        }
    }

    /** The connection factory Boot builds for its broker becomes Pledge's. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass({XAConnectionFactoryWrapper.class, TransactionalConnectionFactory.class, jakarta.jms.ConnectionFactory.class})
    static class Jms {
        @Bean
        @ConditionalOnMissingBean(XAConnectionFactoryWrapper.class)
        PledgeXAConnectionFactoryWrapper pledgeXaConnectionFactoryWrapper(TransactionService service, PledgeProperties properties) {
            return new PledgeXAConnectionFactoryWrapper(service, properties.getJms());
        }
    }

    /**
     * The application's {@code OpenTelemetry} bean (Boot's own from {@code spring-boot-starter-opentelemetry}, or one
     * the application defines) traces every transaction, unless {@code pledge.tracing.enabled=false}. Without such a
     * bean, or without the OpenTelemetry API on the class path, nothing is traced and nothing of it is loaded.
     */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "io.opentelemetry.api.OpenTelemetry")
    @ConditionalOnProperty(prefix = "pledge.tracing", name = "enabled", havingValue = "true", matchIfMissing = true)
    static class Tracing {
        @Bean
        TransactionServiceCustomizer pledgeOpenTelemetryCustomizer(ObjectProvider<io.opentelemetry.api.OpenTelemetry> openTelemetry) {
            return builder -> openTelemetry.ifUnique(builder::openTelemetry);
        }
    }

    /** Pledge's meters in Boot's {@code MeterRegistry} (Boot binds every {@code MeterBinder} bean). */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "io.micrometer.core.instrument.binder.MeterBinder")
    static class Metrics {
        @Bean
        @ConditionalOnMissingBean
        PledgeMeterBinder pledgeMeterBinder(TransactionService service) {
            return new PledgeMeterBinder(service);
        }
    }

    /** Health {@code pledge}. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "org.springframework.boot.health.contributor.HealthIndicator")
    @ConditionalOnEnabledHealthIndicator("pledge")
    static class Health {
        @Bean
        @ConditionalOnMissingBean(name = "pledgeHealthIndicator")
        PledgeHealthIndicator pledgeHealthIndicator(TransactionService service, PledgeProperties properties) {
            // a database log has no directory: the service's health reports the database's own errors
            return new PledgeHealthIndicator(service, properties.getLog().getDatabase().isSet() ? null : properties.getLog().getDirectory());
        }
    }
}
