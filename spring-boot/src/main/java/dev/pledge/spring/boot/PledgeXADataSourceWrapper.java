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
        return wrapDataSource(pool.getName(), dataSource);
    }

    /** A Pledge data source named {@code name} over the driver's {@code dataSource}, with the {@code pledge.datasource.*} pool settings. */
    public TransactionalDataSource wrapDataSource(String name, XADataSource dataSource) {
        return build(service, name, dataSource, pool, names);
    }

    static TransactionalDataSource build(TransactionService service, String name, XADataSource dataSource, PledgeProperties.Pool pool,
                                         Set<String> names) {
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
