package dev.pledge.spring.boot;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The {@code pledge.*} properties: the transaction service, the pool of the data source Boot
 * builds from {@code spring.datasource.*}, the JMS connection factory Boot builds for its broker,
 * and any number of named XA data sources ({@code pledge.datasources.<name>.*}).
 */
@ConfigurationProperties("pledge")
public class PledgeProperties {
    /** Node name stamped into every Xid: at most 47 bytes of UTF-8, no ':'; unique among the nodes sharing a resource manager. Default: the host name. */
    private String nodeName;
    /** Timeout of transactions that set none. */
    private Duration defaultTimeout = Duration.ofSeconds(60);
    /** Period of background recovery passes; 0 disables them. */
    private Duration recoveryInterval = Duration.ofMinutes(2);
    /** Run the prepares (and commits) of two or more branches at once instead of one after another. */
    private boolean parallelPhases;
    /** How long shutdown waits for running transactions to finish before closing the service. */
    private Duration shutdownTimeout = Duration.ofSeconds(30);
    private final Log log = new Log();
    private final Tracing tracing = new Tracing();
    private final Pool datasource = new Pool("dataSource");
    private final Jms jms = new Jms();
    /** XA data sources by bean name (which is also their resource name in the log). */
    private final Map<String, NamedDataSource> datasources = new LinkedHashMap<>();

    public String getNodeName() {
        return nodeName;
    }

    public void setNodeName(String nodeName) {
        this.nodeName = nodeName;
    }

    public Duration getDefaultTimeout() {
        return defaultTimeout;
    }

    public void setDefaultTimeout(Duration defaultTimeout) {
        this.defaultTimeout = defaultTimeout;
    }

    public Duration getRecoveryInterval() {
        return recoveryInterval;
    }

    public void setRecoveryInterval(Duration recoveryInterval) {
        this.recoveryInterval = recoveryInterval;
    }

    public boolean isParallelPhases() {
        return parallelPhases;
    }

    public void setParallelPhases(boolean parallelPhases) {
        this.parallelPhases = parallelPhases;
    }

    public Duration getShutdownTimeout() {
        return shutdownTimeout;
    }

    public void setShutdownTimeout(Duration shutdownTimeout) {
        this.shutdownTimeout = shutdownTimeout;
    }

    public Log getLog() {
        return log;
    }

    public Tracing getTracing() {
        return tracing;
    }

    /** {@code pledge.tracing.*}: spans through the application's {@code OpenTelemetry} bean. */
    public static class Tracing {
        /** Trace every transaction and recovery pass through the application's OpenTelemetry bean, when there is one. */
        private boolean enabled = true;

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }
    }

    public Pool getDatasource() {
        return datasource;
    }

    public Jms getJms() {
        return jms;
    }

    public Map<String, NamedDataSource> getDatasources() {
        return datasources;
    }

    /** The recovery log: a directory (the default), or a database when {@code pledge.log.database.url} is set. */
    public static class Log {
        /** Directory of the file log (created with owner-only permissions); unused when pledge.log.database.url is set. */
        private Path directory = Path.of("pledge-log");
        private final Database database = new Database();

        public Path getDirectory() {
            return directory;
        }

        public void setDirectory(Path directory) {
            this.directory = directory;
        }

        public Database getDatabase() {
            return database;
        }
    }

    /**
     * A database log: a JDBC URL with its own plain connections (never the application's
     * {@code spring.datasource}, which Pledge makes XA and enlists), taken through the driver.
     */
    public static class Database {
        /** JDBC URL of the database log (PostgreSQL, MariaDB/MySQL or H2); when set, the log is there and not in pledge.log.directory. */
        private String url;
        /** User of the database log. */
        private String username;
        /** Password of the database log. */
        private String password;
        /** Prefix of the database log's tables. */
        private String tablePrefix = "pledge_";
        /** How long the node's row in the database log stays held after its last renewal; a peer takes over a node whose lease ran out. */
        private Duration leaseDuration = Duration.ofSeconds(30);

        public String getUrl() {
            return url;
        }

        public void setUrl(String url) {
            this.url = url;
        }

        public String getUsername() {
            return username;
        }

        public void setUsername(String username) {
            this.username = username;
        }

        public String getPassword() {
            return password;
        }

        public void setPassword(String password) {
            this.password = password;
        }

        public Duration getLeaseDuration() {
            return leaseDuration;
        }

        public void setLeaseDuration(Duration leaseDuration) {
            this.leaseDuration = leaseDuration;
        }

        public String getTablePrefix() {
            return tablePrefix;
        }

        public void setTablePrefix(String tablePrefix) {
            this.tablePrefix = tablePrefix;
        }

        /** True when a URL is set. */
        boolean isSet() {
            return url != null && !url.isBlank();
        }

        @Override
        public String toString() {
            return dev.pledge.tm.Redaction.url(url);
        }
    }

    /** Pool settings of a Pledge data source. */
    public static class Pool {
        /** Resource name in the recovery log (must stay the same across restarts). */
        private String name;
        /** Most connections the pool holds. */
        private int maxPoolSize = 20;
        /** Connections the pool keeps open even when idle. */
        private int minPoolSize;
        /** How long getConnection() waits for a free connection. */
        private Duration acquisitionTimeout = Duration.ofSeconds(30);

        public Pool() {
        }

        Pool(String name) {
            this.name = name;
        }

        public String getName() {
            return name;
        }

        public void setName(String name) {
            this.name = name;
        }

        public int getMaxPoolSize() {
            return maxPoolSize;
        }

        public void setMaxPoolSize(int maxPoolSize) {
            this.maxPoolSize = maxPoolSize;
        }

        public int getMinPoolSize() {
            return minPoolSize;
        }

        public void setMinPoolSize(int minPoolSize) {
            this.minPoolSize = minPoolSize;
        }

        public Duration getAcquisitionTimeout() {
            return acquisitionTimeout;
        }

        public void setAcquisitionTimeout(Duration acquisitionTimeout) {
            this.acquisitionTimeout = acquisitionTimeout;
        }
    }

    /** One of several XA data sources, declared by properties; its bean name is its key. */
    public static class NamedDataSource extends Pool {
        /** JDBC URL; also picks the driver's XA data source class when none is given. */
        private String url;
        /** Login user. */
        private String username;
        /** Login password. */
        private String password;
        /** The driver's XADataSource class; default: the one Boot knows for the URL's database. */
        private String xaDataSourceClassName;
        /** More properties set on the driver's XADataSource (by its setters). */
        private Map<String, String> xaProperties = new LinkedHashMap<>();
        /** Makes this the primary DataSource (the one Boot's JPA and JdbcTemplate use). */
        private boolean primary;

        public String getUrl() {
            return url;
        }

        public void setUrl(String url) {
            this.url = url;
        }

        public String getUsername() {
            return username;
        }

        public void setUsername(String username) {
            this.username = username;
        }

        public String getPassword() {
            return password;
        }

        public void setPassword(String password) {
            this.password = password;
        }

        public String getXaDataSourceClassName() {
            return xaDataSourceClassName;
        }

        public void setXaDataSourceClassName(String xaDataSourceClassName) {
            this.xaDataSourceClassName = xaDataSourceClassName;
        }

        public Map<String, String> getXaProperties() {
            return xaProperties;
        }

        public void setXaProperties(Map<String, String> xaProperties) {
            this.xaProperties = xaProperties;
        }

        public boolean isPrimary() {
            return primary;
        }

        public void setPrimary(boolean primary) {
            this.primary = primary;
        }
    }

    /** The JMS connection factory Boot builds for its broker (Artemis) through the XA wrapper. */
    public static class Jms {
        /** Resource name in the recovery log. */
        private String name = "jmsConnectionFactory";
        /** Most pooled connections to the broker. */
        private int maxConnections = 1;
        /** Most sessions open at once on one pooled connection. */
        private int maxSessionsPerConnection = 500;

        public String getName() {
            return name;
        }

        public void setName(String name) {
            this.name = name;
        }

        public int getMaxConnections() {
            return maxConnections;
        }

        public void setMaxConnections(int maxConnections) {
            this.maxConnections = maxConnections;
        }

        public int getMaxSessionsPerConnection() {
            return maxSessionsPerConnection;
        }

        public void setMaxSessionsPerConnection(int maxSessionsPerConnection) {
            this.maxSessionsPerConnection = maxSessionsPerConnection;
        }
    }
}
