package dev.pledge.spring.boot;

import dev.pledge.tm.TransactionService;
import dev.pledge.xa.jdbc.TransactionalDataSource;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.HashSet;
import javax.sql.XADataSource;
import org.springframework.beans.BeanUtils;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.config.ConfigurableBeanFactory;
import org.springframework.beans.factory.support.BeanDefinitionRegistry;
import org.springframework.beans.factory.support.RootBeanDefinition;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.boot.jdbc.DatabaseDriver;
import org.springframework.context.annotation.ImportBeanDefinitionRegistrar;
import org.springframework.core.env.Environment;
import org.springframework.core.type.AnnotationMetadata;
import org.springframework.util.ClassUtils;
import org.springframework.util.StringUtils;

/**
 * Registers one {@link TransactionalDataSource} bean per {@code pledge.datasources.<name>.*} group,
 * named {@code <name>} (bean name and resource name in the log alike), primary when the group says so.
 */
final class NamedDataSourcesRegistrar implements ImportBeanDefinitionRegistrar {
    private final Environment environment;
    private final BeanFactory beanFactory;

    NamedDataSourcesRegistrar(Environment environment, BeanFactory beanFactory) {
        this.environment = environment;
        this.beanFactory = beanFactory;
    }

    @Override
    public void registerBeanDefinitions(AnnotationMetadata metadata, BeanDefinitionRegistry registry) {
        Map<String, PledgeProperties.NamedDataSource> groups = Binder.get(environment)
                .bind("pledge.datasources", Bindable.mapOf(String.class, PledgeProperties.NamedDataSource.class))
                .orElse(Map.of());
        for (Map.Entry<String, PledgeProperties.NamedDataSource> e : groups.entrySet()) {
            String name = e.getKey();
            PledgeProperties.NamedDataSource props = e.getValue();
            if (props.getName() == null) {
                props.setName(name);
            }
            RootBeanDefinition bd = new RootBeanDefinition(TransactionalDataSource.class, () -> create(name, props));
            bd.setPrimary(props.isPrimary());
            bd.setDestroyMethodName("close");
            registry.registerBeanDefinition(name, bd);
        }
    }

    private TransactionalDataSource create(String beanName, PledgeProperties.NamedDataSource props) {
        String[] services = ((org.springframework.beans.factory.ListableBeanFactory) beanFactory).getBeanNamesForType(TransactionService.class);
        if (services.length != 1) {
            throw new IllegalStateException("Data source '" + beanName + "' needs exactly one TransactionService bean; found " + services.length);
        }
        TransactionService service = beanFactory.getBean(services[0], TransactionService.class);
        // closed before the service it is enlisted with
        ((ConfigurableBeanFactory) beanFactory).registerDependentBean(services[0], beanName);
        return PledgeXADataSourceWrapper.build(service, props.getName(), xaDataSource(beanName, props), "pledge.datasources." + beanName, props,
                new HashSet<>());
    }

    /** The driver's XA data source for the group, set up the way Boot sets up {@code spring.datasource.xa.*}. */
    static XADataSource xaDataSource(String beanName, PledgeProperties.NamedDataSource props) {
        String prefix = "pledge.datasources." + beanName;
        String className = props.getXaDataSourceClassName();
        if (!StringUtils.hasText(className)) {
            if (!StringUtils.hasText(props.getUrl())) {
                throw new InvalidPledgePropertyException(prefix + ".url", "", "is required (or " + prefix + ".xa-data-source-class-name)");
            }
            className = DatabaseDriver.fromJdbcUrl(props.getUrl()).getXaDataSourceClassName();
            if (className == null) {
                throw new InvalidPledgePropertyException(prefix + ".url", props.getUrl(),
                        "Boot knows no XA data source for this database; set " + prefix + ".xa-data-source-class-name");
            }
        }
        XADataSource xa;
        try {
            Class<?> type = ClassUtils.forName(className, NamedDataSourcesRegistrar.class.getClassLoader());
            xa = (XADataSource) BeanUtils.instantiateClass(type);
        } catch (ClassNotFoundException | LinkageError | ClassCastException e) {
            throw new InvalidPledgePropertyException(prefix + ".xa-data-source-class-name", className,
                    "not an XADataSource on the class path (" + e + ")");
        }
        Map<String, Object> values = new LinkedHashMap<>();
        putIfSet(values, "url", props.getUrl());
        putIfSet(values, "user", props.getUsername());
        putIfSet(values, "password", props.getPassword());
        values.putAll(new HashMap<>(props.getXaProperties()));
        new Binder(new MapConfigurationPropertySource(values)).bind(ConfigurationPropertyName.EMPTY, Bindable.ofInstance(xa));
        return xa;
    }

    private static void putIfSet(Map<String, Object> values, String key, String value) {
        if (value != null) {
            values.put(key, value);
        }
    }
}
