package dev.pledge.xa.jdbc;

import dev.pledge.tm.PledgeXAResource;
import dev.pledge.tm.TransactionService;
import io.agroal.api.AgroalDataSource;
import io.agroal.api.AgroalDataSourceMetrics;
import io.agroal.api.configuration.AgroalConnectionPoolConfiguration.ConnectionValidator;
import io.agroal.api.configuration.supplier.AgroalDataSourceConfigurationSupplier;
import java.io.PrintWriter;
import java.lang.reflect.Method;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Supplier;
import java.util.logging.Logger;
import javax.sql.DataSource;
import javax.sql.XAConnection;
import javax.sql.XADataSource;
import org.slf4j.LoggerFactory;

/**
 * A pooled {@link DataSource} whose connections take part in Pledge transactions by themselves.
 * <p>
 * Inside a transaction, the first {@link #getConnection()} enlists a pooled XA connection as a
 * branch named after this data source; every later call in the same transaction returns that same
 * physical connection, and {@code close()} gives it back to the pool only when the transaction
 * ends. Outside a transaction it is an ordinary auto-commit connection. The data source registers
 * itself with the service's recovery under its name, so a crash never leaves its branches in doubt.
 * A non-XA data source can instead join as the transaction's single last resource.
 * <p>
 * Pooling (validation, leak detection, idle eviction, metrics) is Agroal's.
 */
public final class TransactionalDataSource implements DataSource, AutoCloseable {
    private final String name;
    private final AgroalDataSource pool;
    private final int maxPoolSize;
    private final Duration acquisitionTimeout;
    private final boolean joinable;

    private TransactionalDataSource(String name, AgroalDataSource pool, int maxPoolSize, Duration acquisitionTimeout, boolean joinable) {
        this.name = name;
        this.pool = pool;
        this.maxPoolSize = maxPoolSize;
        this.acquisitionTimeout = acquisitionTimeout;
        this.joinable = joinable;
    }

    /** Starts a builder for a data source whose transactions are coordinated by {@code service}. */
    public static Builder builder(TransactionService service) {
        return new Builder(Objects.requireNonNull(service, "service"));
    }

    /** The resource name used in the recovery log and for recovery. */
    public String name() {
        return name;
    }

    /** Whether a second branch on the same database may join this one's (false for MariaDB, MySQL and PostgreSQL). */
    public boolean joinable() {
        return joinable;
    }

    /** Agroal's pool metrics: active, available, awaiting, created, leaks detected, invalid, reaped, blocking times. */
    public AgroalDataSourceMetrics metrics() {
        return pool.getMetrics();
    }

    /**
     * A connection enlisted in the calling thread's transaction, if it has one (the same connection
     * for the whole transaction); otherwise a plain auto-commit connection.
     */
    @Override
    public Connection getConnection() throws SQLException {
        try {
            return pool.getConnection();
        } catch (EnlistmentException e) {
            // The connection is back in the pool as idle; if it is broken (its server restarted, say), validation removes it.
            pool.flush(AgroalDataSource.FlushMode.INVALID);
            throw e;
        } catch (SQLException e) {
            throw translate(e);
        }
    }

    private SQLException translate(SQLException e) {
        String m = String.valueOf(e.getMessage());
        if (m.contains("acquisition timeout") || m.contains("Acquisition timeout")) {
            AgroalDataSourceMetrics mt = pool.getMetrics();
            return new SQLTransientConnectionException("Data source '" + name + "': no connection became free within "
                    + acquisitionTimeout.toMillis() + " ms (pool exhausted: maxPoolSize " + maxPoolSize + ", " + mt.activeCount()
                    + " in use, " + mt.awaitingCount() + " waiting). Raise maxPoolSize or acquisitionTimeout, or look for connections"
                    + " that are never closed (leakDetection)", "08001", e);
        }
        return e;
    }

    /** Not supported: the credentials are those of the data source given to the builder. */
    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        throw new SQLFeatureNotSupportedException("Data source '" + name + "' uses the credentials of its underlying data source");
    }

    /** Closes the pool and withdraws the data source from recovery. */
    @Override
    public void close() {
        pool.close();
    }

    @Override
    public PrintWriter getLogWriter() throws SQLException {
        return pool.getLogWriter();
    }

    @Override
    public void setLogWriter(PrintWriter out) throws SQLException {
        pool.setLogWriter(out);
    }

    @Override
    public void setLoginTimeout(int seconds) throws SQLException {
        pool.setLoginTimeout(seconds);
    }

    @Override
    public int getLoginTimeout() throws SQLException {
        return pool.getLoginTimeout();
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        return pool.getParentLogger();
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
        if (iface.isInstance(this)) {
            return iface.cast(this);
        }
        return pool.unwrap(iface);
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) throws SQLException {
        return iface.isInstance(this) || pool.isWrapperFor(iface);
    }

    @Override
    public String toString() {
        return "TransactionalDataSource '" + name + "'";
    }

    /**
     * How recovery reaches an XA data source that no pool of this process serves (for example an
     * operator's one-off recovery pass): each call opens a fresh XA connection and returns its
     * resource under {@code name}, closed after the pass, with the driver workarounds the data
     * source itself uses for recovery. Register it with {@code svc.recovery().register(name, ...)}.
     */
    public static Supplier<PledgeXAResource> recoveryResource(String name, XADataSource dataSource) {
        Objects.requireNonNull(dataSource, "dataSource");
        return RecoveryXAResource.supplier(Objects.requireNonNull(name, "name"), dataSource::getXAConnection, RecoveryXAResource.isH2(dataSource));
    }

    /**
     * Configures one data source. {@link #build()} connects once to check the database (a wrong URL
     * or a PostgreSQL without prepared transactions fails there, with the fix in the message),
     * starts the pool and registers the data source for recovery.
     */
    public static final class Builder {
        private final TransactionService service;
        private String name;
        private XADataSource xaDataSource;
        private DataSource nonXaDataSource;
        private int maxPoolSize = 20;
        private int minPoolSize;
        private Duration acquisitionTimeout = Duration.ofSeconds(30);
        private boolean validateOnBorrow;
        private Duration validationInterval = Duration.ZERO;
        private Duration leakDetection = Duration.ZERO;
        private Duration idleTimeout = Duration.ZERO;
        private Duration maxLifetime = Duration.ZERO;
        private Boolean joinable;

        private Builder(TransactionService service) {
            this.service = service;
        }

        /** The resource name in the recovery log and recovery registration; unique per transaction service. */
        public Builder name(String name) {
            this.name = Objects.requireNonNull(name, "name");
            return this;
        }

        /** The driver's XA data source (MysqlXADataSource, PGXADataSource, H2's JdbcDataSource, ...). */
        public Builder xaDataSource(XADataSource dataSource) {
            this.xaDataSource = Objects.requireNonNull(dataSource, "xaDataSource");
            return this;
        }

        /**
         * A plain data source that joins each transaction as its single last resource (committed in
         * one phase after every XA branch prepared). A transaction can hold only one such resource.
         */
        public Builder nonXaDataSource(DataSource dataSource) {
            this.nonXaDataSource = Objects.requireNonNull(dataSource, "nonXaDataSource");
            return this;
        }

        /** Most connections the pool holds; default 20. */
        public Builder maxPoolSize(int size) {
            this.maxPoolSize = size;
            return this;
        }

        /** Connections the pool keeps open even when idle; default 0. */
        public Builder minPoolSize(int size) {
            this.minPoolSize = size;
            return this;
        }

        /** How long {@code getConnection()} waits for a free connection before failing; default 30 s. */
        public Builder acquisitionTimeout(Duration timeout) {
            this.acquisitionTimeout = Objects.requireNonNull(timeout, "acquisitionTimeout");
            return this;
        }

        /** Checks each connection ({@code isValid}) before handing it out; default off. */
        public Builder validateOnBorrow(boolean validate) {
            this.validateOnBorrow = validate;
            return this;
        }

        /** Validates idle connections in the background at this interval; default off (zero). */
        public Builder validation(Duration interval) {
            this.validationInterval = Objects.requireNonNull(interval, "validation");
            return this;
        }

        /** Warns (and counts in metrics) when a connection is held longer than this; default off (zero). */
        public Builder leakDetection(Duration threshold) {
            this.leakDetection = Objects.requireNonNull(threshold, "leakDetection");
            return this;
        }

        /** Closes connections idle for longer than this (down to minPoolSize); default off (zero). */
        public Builder idleTimeout(Duration timeout) {
            this.idleTimeout = Objects.requireNonNull(timeout, "idleTimeout");
            return this;
        }

        /** Replaces connections older than this; default off (zero). */
        public Builder maxLifetime(Duration lifetime) {
            this.maxLifetime = Objects.requireNonNull(lifetime, "maxLifetime");
            return this;
        }

        /** Overrides the join policy detected from the database product. */
        public Builder joinable(boolean joinable) {
            this.joinable = joinable;
            return this;
        }

        /** Checks the configuration and the database, starts the pool and registers for recovery. */
        public TransactionalDataSource build() {
            if (name == null || name.isBlank()) {
                throw new IllegalArgumentException("TransactionalDataSource needs a name(...): it names its branches in the recovery log");
            }
            if ((xaDataSource == null) == (nonXaDataSource == null)) {
                throw new IllegalArgumentException("Data source '" + name + "' needs exactly one of xaDataSource(...) or nonXaDataSource(...)");
            }
            if (maxPoolSize < 1 || minPoolSize < 0 || minPoolSize > maxPoolSize) {
                throw new IllegalArgumentException("Data source '" + name + "': need 0 <= minPoolSize (" + minPoolSize
                        + ") <= maxPoolSize (" + maxPoolSize + ") and maxPoolSize >= 1");
            }
            if (acquisitionTimeout.isNegative() || acquisitionTimeout.isZero()) {
                throw new IllegalArgumentException("Data source '" + name + "': acquisitionTimeout must be positive, not " + acquisitionTimeout);
            }
            boolean xa = xaDataSource != null;
            DatabaseProbe.Facts facts = probe(xa);
            boolean join = joinable != null ? joinable : facts.joinable();
            PledgeTransactionIntegration integration = new PledgeTransactionIntegration(name, join, service.transactionManager(),
                    service.synchronizationRegistry(), service.recovery(), facts.isH2());
            AgroalDataSourceConfigurationSupplier config = new AgroalDataSourceConfigurationSupplier()
                    .metricsEnabled(true)
                    .connectionPoolConfiguration(cp -> cp
                            .transactionIntegration(integration)
                            .recoveryEnable(xa)
                            .maxSize(maxPoolSize)
                            .minSize(minPoolSize)
                            .initialSize(minPoolSize)
                            .acquisitionTimeout(acquisitionTimeout)
                            .validateOnBorrow(validateOnBorrow)
                            .validationTimeout(validationInterval)
                            .connectionValidator(ConnectionValidator.defaultValidator())
                            .leakTimeout(leakDetection)
                            .reapTimeout(idleTimeout)
                            .maxLifetime(maxLifetime)
                            .connectionFactoryConfiguration(cf -> cf
                                    .autoCommit(true)
                                    .connectionProviderClass(xa ? HandoverXADataSource.class : HandoverDataSource.class)));
            Object connections = xa ? new HandoverXADataSource.Source(xaDataSource, facts.isMySqlFamily()) : nonXaDataSource;
            AgroalDataSource pool = Handover.with(connections, () -> {
                try {
                    return AgroalDataSource.from(config);
                } catch (SQLException e) {
                    throw new IllegalStateException("Data source '" + name + "': the connection pool did not start: " + e.getMessage(), e);
                }
            });
            LoggerFactory.getLogger(TransactionalDataSource.class).info("Data source '{}' ready: {} at {}, {}, pool of at most {}", name,
                    facts.product(), facts.url(), xa ? (join ? "XA, joinable branches" : "XA, one branch per connection")
                            : "non-XA (last resource)", maxPoolSize);
            return new TransactionalDataSource(name, pool, maxPoolSize, acquisitionTimeout, join);
        }

        /** One connection at build time, so a wrong URL or an unusable server fails here and not in the first transaction. */
        private DatabaseProbe.Facts probe(boolean xa) {
            Object source = xa ? xaDataSource : nonXaDataSource;
            try {
                if (xa) {
                    XAConnection xac = xaDataSource.getXAConnection();
                    try (Connection c = xac.getConnection()) {
                        DatabaseProbe.Facts facts = checked(c);
                        DatabaseProbe.requireRecover(xac.getXAResource(), name, facts);
                        return facts;
                    } finally {
                        xac.close();
                    }
                }
                try (Connection c = nonXaDataSource.getConnection()) {
                    return checked(c);
                }
            } catch (SQLException e) {
                throw new IllegalStateException("Data source '" + name + "' cannot connect to " + describe(source) + ": " + e.getMessage()
                        + " (SQLState " + e.getSQLState() + "). Check the URL, that the server is running, and the credentials", e);
            }
        }

        private DatabaseProbe.Facts checked(Connection c) throws SQLException {
            DatabaseProbe.Facts facts = DatabaseProbe.facts(c);
            if (xaDataSource != null && facts.isPostgres()) {
                DatabaseProbe.requirePreparedTransactions(c, facts.url());
            }
            if (xaDataSource != null) {
                for (DriverPreflight.Finding f : DriverPreflight.check(c, facts, maxPoolSize)) {
                    if (f.fatal()) {
                        throw new IllegalStateException(f.message(name, facts));
                    }
                    LoggerFactory.getLogger(TransactionalDataSource.class).warn(f.message(name, facts));
                }
            }
            return facts;
        }

        /** The URL (without its parameters) of a driver's data source when it has a getter for it, else its class. */
        static String describe(Object dataSource) {
            for (String getter : new String[] {"getUrl", "getURL"}) {
                try {
                    Method m = dataSource.getClass().getMethod(getter);
                    Object url = m.invoke(dataSource);
                    if (url != null) {
                        return DatabaseProbe.withoutParameters(url.toString());
                    }
                } catch (ReflectiveOperationException | RuntimeException ignored) {
                    // try the next spelling
                }
            }
            return dataSource.getClass().getName();
        }
    }
}
