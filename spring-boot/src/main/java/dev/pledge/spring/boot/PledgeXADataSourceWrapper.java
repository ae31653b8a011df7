package dev.pledge.spring.boot;

import dev.pledge.tm.TransactionService;
import dev.pledge.xa.jdbc.TransactionalDataSource;
import java.util.HashSet;
import java.util.Set;
import javax.sql.DataSource;
import javax.sql.XADataSource;
import org.springframework.boot.jdbc.XADataSourceWrapper;

/**
 * Boot's hook for XA data sources: what {@code spring.datasource.*} (with {@code spring.datasource.xa.*})
 * builds becomes a Pledge {@link TransactionalDataSource}, named {@code pledge.datasource.name}
 * (default {@code dataSource}, the bean name Boot gives it) in the log and for recovery.
 * <p>
 * An application that builds more XA data sources itself calls {@link #wrapDataSource(String, XADataSource)}
 * with a name of its own for each: a resource name has to stay the same across restarts, so this
 * wrapper refuses to hand out the default name twice.
 */
public final class PledgeXADataSourceWrapper implements XADataSourceWrapper {
    private final TransactionService service;
    private final PledgeProperties.Pool pool;
    private final Set<String> names = new HashSet<>();

    PledgeXADataSourceWrapper(TransactionService service, PledgeProperties.Pool pool) {
        this.service = service;
        this.pool = pool;
    }

    @Override
    public DataSource wrapDataSource(XADataSource dataSource) {
        String name = pool.getName();
        if (name == null || name.isBlank()) {
            throw new InvalidPledgePropertyException("pledge.datasource.name", name == null ? "" : name,
                    "must not be blank: it is the resource name in the log");
        }
        return wrapDataSource(name, dataSource);
    }

    /** A Pledge data source named {@code name} over the driver's {@code dataSource}, with the {@code pledge.datasource.*} pool settings. */
    public TransactionalDataSource wrapDataSource(String name, XADataSource dataSource) {
        return build(service, name, dataSource, "pledge.datasource", pool, names);
    }

    /** A Pledge data source with the pool settings of property group {@code prefix}; a setting it cannot start with is reported by its property name. */
    static TransactionalDataSource build(TransactionService service, String name, XADataSource dataSource, String prefix,
                                         PledgeProperties.Pool pool, Set<String> names) {
        if (pool.getMaxPoolSize() < 1) {
            throw new InvalidPledgePropertyException(prefix + ".max-pool-size", pool.getMaxPoolSize(), "must be at least 1");
        }
        if (pool.getMinPoolSize() < 0 || pool.getMinPoolSize() > pool.getMaxPoolSize()) {
            throw new InvalidPledgePropertyException(prefix + ".min-pool-size", pool.getMinPoolSize(),
                    "must be between 0 and max-pool-size (" + pool.getMaxPoolSize() + ")");
        }
        if (pool.getAcquisitionTimeout() == null || pool.getAcquisitionTimeout().isNegative() || pool.getAcquisitionTimeout().isZero()) {
            throw new InvalidPledgePropertyException(prefix + ".acquisition-timeout", pool.getAcquisitionTimeout(), "must be positive");
        }
        synchronized (names) {
            if (!names.add(name)) {
                throw new IllegalStateException("A Pledge data source named '" + name + "' exists already; give each XA data source its own "
                        + "name (pledge.datasources.<name>.* or wrapDataSource(name, xaDataSource))");
            }
        }
        return TransactionalDataSource.builder(service)
                .name(name)
                .xaDataSource(dataSource)
                .maxPoolSize(pool.getMaxPoolSize())
                .minPoolSize(pool.getMinPoolSize())
                .acquisitionTimeout(pool.getAcquisitionTimeout())
                .build();
    }
}
