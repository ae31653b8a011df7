package dev.pledge.jee.cdi;

import dev.pledge.jee.PledgeUserTransaction;
import dev.pledge.jee.ServiceConfiguration;
import dev.pledge.jee.ServiceRegistry;
import dev.pledge.tm.Health;
import dev.pledge.tm.TransactionService;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.spi.AfterBeanDiscovery;
import jakarta.enterprise.inject.spi.AfterDeploymentValidation;
import jakarta.enterprise.inject.spi.BeanManager;
import jakarta.enterprise.inject.spi.BeforeBeanDiscovery;
import jakarta.enterprise.inject.spi.BeforeShutdown;
import jakarta.enterprise.inject.spi.Extension;
import jakarta.enterprise.inject.spi.configurator.BeanConfigurator;
import jakarta.enterprise.util.Nonbinding;
import jakarta.inject.Singleton;
import jakarta.interceptor.Interceptor;
import jakarta.transaction.TransactionManager;
import jakarta.transaction.TransactionSynchronizationRegistry;
import jakarta.transaction.Transactional;
import jakarta.transaction.UserTransaction;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The CDI portable extension of Pledge, found through {@code META-INF/services}: it starts one
 * {@link TransactionService} from configuration when the container has validated the deployment
 * (see {@link ServiceConfiguration#fromEnvironment}), makes it and its {@link TransactionManager},
 * {@link UserTransaction} and {@link TransactionSynchronizationRegistry} injectable (and its {@link Health}, a
 * fresh view at each {@code Instance<Health>.get()}), enables the
 * {@code @Transactional} interceptor and the {@code @TransactionScoped} context, and closes the
 * service when the container shuts down. On Weld it also binds Weld's {@code TransactionServices}
 * to the service (see {@link WeldTransactionServices}), for transactional observer methods.
 */
public final class PledgeExtension implements Extension {
    private static final Logger log = LoggerFactory.getLogger(PledgeExtension.class);

    private volatile TransactionService service;
    private boolean owned;
    /** Read once, when beans are added: the data sources it declares become beans before the service starts. */
    private ServiceConfiguration config;
    private final UserTransactionGuard guard = new UserTransactionGuard();
    /** The guard as the {@code UserTransaction}s of this container (and their serialized copies) ask it. */
    private final Supplier<String> refusal = guard::refusal;

    void registerInterceptor(@Observes BeforeBeanDiscovery bbd, BeanManager beans) {
        // one interceptor for the six TxTypes: it reads the TxType from the annotation itself
        bbd.configureInterceptorBinding(Transactional.class).methods().stream()
                .filter(m -> m.getAnnotated().getJavaMember().getName().equals("value"))
                .forEach(m -> m.add(Nonbinding.Literal.INSTANCE));
        bbd.addAnnotatedType(TransactionalInterceptor.class, TransactionalInterceptor.class.getName());
        if (weldSpiPresent()) {
            WeldTransactionServices.bind(beans, this);
        }
    }

    void addBeans(@Observes AfterBeanDiscovery abd, BeanManager beans) {
        try {
            config = ServiceConfiguration.fromEnvironment(classLoader());
        } catch (RuntimeException e) {
            abd.addDefinitionError(new IllegalStateException("Pledge's configuration is not valid: " + e.getMessage(), e));
            return;
        }
        if (!config.dataSources().isEmpty() && !jdbcAdapterPresent()) {
            // pledge-xa-jdbc is an optional dependency: say what is missing rather than fail with a NoClassDefFoundError
            abd.addDefinitionError(new IllegalStateException("Pledge's configuration declares the data sources "
                    + config.dataSources().keySet() + " (pledge.datasource.*), which need dev.pledge:pledge-xa-jdbc on the class path:"
                    + " add that dependency"));
            config = null;
            return;
        }
        if (!config.connectionFactories().isEmpty() && !jmsAdapterPresent()) {
            abd.addDefinitionError(new IllegalStateException("Pledge's configuration declares the JMS connection factories "
                    + config.connectionFactories().keySet() + " (pledge.jms.*), which need dev.pledge:pledge-xa-jms (and the JMS"
                    + " provider's client) on the class path: add that dependency"));
            config = null;
            return;
        }
        abd.addContext(new TransactionScopedContext(this::service, beans));
        if (!config.connectionFactories().isEmpty()) { // only then is the JMS adapter, an optional dependency, loaded
            ConnectionFactoryBeans.add(abd, config.connectionFactories().values(), this::service, classLoader());
        }
        boolean onlyOne = config.dataSources().size() == 1;
        for (ServiceConfiguration.DataSourceSettings ds : config.dataSources().values()) {
            // @Singleton: TransactionalDataSource is final, so not proxyable; one pool per name, closed at shutdown
            BeanConfigurator<javax.sql.DataSource> bean = abd.<javax.sql.DataSource>addBean().beanClass(PledgeExtension.class)
                    .types(javax.sql.DataSource.class, dev.pledge.xa.jdbc.TransactionalDataSource.class, Object.class)
                    .scope(Singleton.class).id("pledge-datasource-" + ds.name())
                    .qualifiers(jakarta.enterprise.inject.literal.NamedLiteral.of(ds.name()), jakarta.enterprise.inject.Any.Literal.INSTANCE)
                    .createWith(c -> ds.build(service(), classLoader()))
                    .destroyWith((instance, c) -> ((dev.pledge.xa.jdbc.TransactionalDataSource) instance).close());
            if (onlyOne) {
                bean.addQualifier(jakarta.enterprise.inject.Default.Literal.INSTANCE);
            }
        }
        bean(abd, TransactionService.class, svc -> svc);
        bean(abd, TransactionManager.class, TransactionService::transactionManager);
        bean(abd, TransactionSynchronizationRegistry.class, TransactionService::synchronizationRegistry);
        // @Dependent: a new view at each injection or Instance.get(), for a health check taken on demand
        bean(abd, Health.class, TransactionService::health).scope(jakarta.enterprise.context.Dependent.class);
        // an alternative, selected at library priority: with a TransactionServices (WeldTransactionServices),
        // Weld's weld-jta adds a built-in UserTransaction bean that would make @Inject UserTransaction ambiguous
        bean(abd, UserTransaction.class, svc -> userTransaction()).alternative(true).priority(Interceptor.Priority.LIBRARY_BEFORE);
    }

    private <T> BeanConfigurator<T> bean(AfterBeanDiscovery abd, Class<T> type, Function<TransactionService, T> instance) {
        return abd.<T>addBean().beanClass(PledgeExtension.class).types(type, Object.class).scope(Singleton.class)
                .id("pledge-" + type.getSimpleName()).createWith(c -> instance.apply(service()));
    }

    void start(@Observes AfterDeploymentValidation adv, BeanManager beans) {
        try {
            ServiceConfiguration config = this.config;
            if (config == null) {
                return; // invalid: reported as a definition error when the beans were added
            }
            String name = config.nodeName();
            TransactionService running = name == null ? null : ServiceRegistry.find(name).orElse(null);
            if (running != null) {
                log.info("CDI uses the running Pledge transaction service '{}'", name);
                service = running;
                ServiceRegistry.guardUserTransactions(running.nodeName(), refusal);
                return;
            }
            TransactionService.Builder builder = config.builder(classLoader());
            if (config.tracing() && present("io.opentelemetry.api.OpenTelemetry")) { // an optional dependency: loaded only then
                CdiOpenTelemetry.use(builder, beans);
            }
            TransactionService svc = builder.build();
            ServiceRegistry.register(svc);
            owned = true;
            service = svc;
            ServiceRegistry.guardUserTransactions(svc.nodeName(), refusal);
        } catch (RuntimeException e) {
            adv.addDeploymentProblem(new IllegalStateException("Pledge could not start its transaction service: " + e.getMessage(), e));
        }
    }

    void stop(@Observes BeforeShutdown shutdown) {
        TransactionService svc = service;
        service = null;
        if (svc != null) {
            ServiceRegistry.unguardUserTransactions(svc.nodeName(), refusal);
        }
        if (svc != null && owned) {
            ServiceRegistry.unregister(svc);
            svc.close();
        }
    }

    /** The running service; fails outside the container's lifetime. */
    TransactionService service() {
        TransactionService svc = service;
        if (svc == null) {
            throw new IllegalStateException("The Pledge transaction service is not running: the CDI container has not"
                    + " finished deployment validation, failed to start it, or has shut down");
        }
        return svc;
    }

    /** The running service, or null before deployment validation and after shutdown. */
    TransactionService running() {
        return service;
    }

    /** The {@code UserTransaction} of the running service, refused inside {@code @Transactional} methods. */
    UserTransaction userTransaction() {
        return PledgeUserTransaction.refusingWhen(service(), refusal);
    }

    UserTransactionGuard guard() {
        return guard;
    }

    private static boolean jdbcAdapterPresent() {
        return present("dev.pledge.xa.jdbc.TransactionalDataSource");
    }

    private static boolean jmsAdapterPresent() {
        return present("dev.pledge.xa.jms.TransactionalConnectionFactory") && present("jakarta.jms.ConnectionFactory");
    }

    /** Whether Weld's SPI is visible to this jar (an optional dependency: other containers go without it). */
    private static boolean weldSpiPresent() {
        return present("org.jboss.weld.transaction.spi.TransactionServices");
    }

    /** Whether {@code className} is visible to this jar, without initializing it. */
    private static boolean present(String className) {
        try {
            Class.forName(className, false, PledgeExtension.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    private static ClassLoader classLoader() {
        ClassLoader tccl = Thread.currentThread().getContextClassLoader();
        return tccl != null ? tccl : PledgeExtension.class.getClassLoader();
    }
}
