package dev.pledge.cli;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import dev.pledge.xa.jdbc.XaDataSources;
import javax.sql.XADataSource;

/**
 * The operator's configuration file for {@code pledge recover}: the node whose log to recover and
 * the XA data sources its branches ran on.
 * <pre>
 * node-name=node-a
 * log-directory=/var/lib/pledge/log
 * # or, instead of log-directory, a database log:
 * # database-log.url=jdbc:postgresql://db:5432/pledge
 * # database-log.user=pledge
 * # database-log.password=...        (or set PLEDGE_LOG_PASSWORD)
 * # database-log.table-prefix=pledge_ (the default)
 * resource.orders.xa-datasource=org.postgresql.xa.PGXADataSource
 * resource.orders.url=jdbc:postgresql://127.0.0.1:5432/orders
 * resource.orders.user=postgres
 * # optional: former node names of a node renamed on purpose, and logged names of plain XAResources
 * # whose branches are on the resources above (both separated by commas)
 * renamed-from=old-node-a
 * resolve-by-xid=org.apache.activemq.artemis.core.client.impl.ClientSessionImpl
 * </pre>
 * Every {@code resource.NAME.KEY} other than {@code xa-datasource} is set with the data source's
 * bean setter ({@code url} → {@code setUrl} or {@code setURL}). The keys a CDI application declares
 * its data sources with work too: {@code datasource.NAME.xa-class}, {@code .url}, ... (the
 * {@code pledge.} prefix left out; pool sizes are ignored), and so do its JMS connection factories:
 * {@code jms.NAME.xa-factory-class}, {@code .url} ({@code setUrl}, else Artemis's {@code setBrokerURL}), ...
 */
record RecoveryConfig(Path file, String nodeName, Path logDirectory, DatabaseLog databaseLog, Map<String, Resource> resources,
                      Map<String, Broker> brokers, List<String> renamedFrom, List<String> resolveByXid) {
    /** The CDI extension's keys ({@code pledge.datasource.NAME.xa-class}, ...) work here too, without the prefix. */
    private static final String DATASOURCE = "datasource.";
    /** Pool settings of the CDI keys, which a recovery pass has no use for. */
    private static final List<String> POOL_ONLY = List.of("max-pool-size", "min-pool-size", "acquisition-timeout");
    /** The CDI extension's JMS keys ({@code pledge.jms.NAME.xa-factory-class}, ...), without the prefix. */
    private static final String JMS = "jms.";
    private static final List<String> JMS_POOL_ONLY = List.of("max-connections", "max-sessions-per-connection");

    /** One configured JMS connection factory: the provider's XA connection factory and, for messages, its URL. */
    record Broker(String name, jakarta.jms.XAConnectionFactory factory, String url) {
    }

    /** A database log named by its JDBC URL; the password is never printed. */
    record DatabaseLog(String url, String user, String password, String tablePrefix) {
        javax.sql.DataSource dataSource() {
            return dev.pledge.tm.log.db.UrlDataSources.of(url, user, password);
        }

        @Override
        public String toString() {
            return dev.pledge.tm.Redaction.url(url) + " (tables " + tablePrefix + "*)";
        }
    }

    /** One configured resource: its XA data source and, for messages, the URL it was given. */
    record Resource(String name, XADataSource dataSource, String url) {
    }

    static RecoveryConfig load(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("configuration file " + file.toAbsolutePath() + " does not exist; create it with node-name,"
                    + " log-directory and resource.NAME.xa-datasource/url/user/password, or database-log.url instead of log-directory ('pledge recover --help', docs/cli.md)");
        }
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file)) {
            p.load(r);
        }
        String node = required(p, file, "node-name");
        String dir = p.getProperty("log-directory");
        String dbUrl = p.getProperty("database-log.url");
        if (dir != null && dbUrl != null) {
            throw new IllegalArgumentException(file + " names both log-directory and database-log.url: a node has one log, keep the one"
                    + " its transaction service was started with");
        }
        if ((dir == null || dir.isBlank()) && (dbUrl == null || dbUrl.isBlank())) {
            throw new IllegalArgumentException(file + " lacks 'log-directory' (a file log) or 'database-log.url' (a database log)");
        }
        Path log = dir == null ? null : Path.of(dir.trim());
        DatabaseLog database = null;
        if (dbUrl != null) {
            String pw = p.getProperty("database-log.password");
            database = new DatabaseLog(dbUrl.trim(), trimmed(p.getProperty("database-log.user")),
                    pw != null ? pw : System.getenv("PLEDGE_LOG_PASSWORD"),
                    p.getProperty("database-log.table-prefix", dev.pledge.tm.log.db.DatabaseJournal.DEFAULT_TABLE_PREFIX).trim());
        } else {
            for (String k : DATABASE_KEYS) {
                if (p.getProperty(k) != null) {
                    throw new IllegalArgumentException(file + ": '" + k + "' is set but 'database-log.url' is not");
                }
            }
        }
        Map<String, Map<String, String>> byResource = new TreeMap<>();
        Map<String, Map<String, String>> byBroker = new TreeMap<>();
        for (String key : p.stringPropertyNames()) {
            String group = key.startsWith("resource.") ? "resource." : key.startsWith(DATASOURCE) ? DATASOURCE
                    : key.startsWith(JMS) ? JMS : null;
            if (group != null) {
                String rest = key.substring(group.length());
                int dot = rest.indexOf('.');
                if (dot <= 0) {
                    throw new IllegalArgumentException(file + ": '" + key + "' must read " + group + "NAME.KEY");
                }
                (group.equals(JMS) ? byBroker : byResource).computeIfAbsent(rest.substring(0, dot), k -> new LinkedHashMap<>())
                        .put(rest.substring(dot + 1), p.getProperty(key));
            } else if (!KEYS.contains(key)) {
                throw new IllegalArgumentException(file + ": unknown key '" + key + "' (expected " + String.join(", ", KEYS)
                        + ", resource.NAME.KEY or jms.NAME.KEY)");
            }
        }
        if (byResource.isEmpty() && byBroker.isEmpty()) {
            throw new IllegalArgumentException(file + " names no resource: add resource.NAME.xa-datasource=CLASS and its settings"
                    + " (or jms.NAME.xa-factory-class=CLASS for a JMS broker)");
        }
        Map<String, Broker> brokers = new LinkedHashMap<>();
        byBroker.forEach((name, settings) -> {
            String url = dev.pledge.tm.Redaction.url(settings.getOrDefault("url", "(no url given)"));
            brokers.put(name, new Broker(name, connectionFactory(file, name, settings), url));
        });
        Map<String, Resource> resources = new LinkedHashMap<>();
        byResource.forEach((name, settings) -> {
            String url = dev.pledge.tm.Redaction.url(settings.getOrDefault("url", settings.getOrDefault("URL", "(no url given)")));
            resources.put(name, new Resource(name, dataSource(file, name, settings), url));
        });
        return new RecoveryConfig(file, node, log, database, resources, brokers, list(p, "renamed-from"), list(p, "resolve-by-xid"));
    }

    private static final List<String> DATABASE_KEYS = List.of("database-log.url", "database-log.user", "database-log.password",
            "database-log.table-prefix");
    private static final List<String> KEYS = java.util.stream.Stream.concat(
            java.util.stream.Stream.of("node-name", "log-directory", "renamed-from", "resolve-by-xid"), DATABASE_KEYS.stream()).toList();

    private static String trimmed(String v) {
        return v == null || v.isBlank() ? null : v.trim();
    }

    private static List<String> list(Properties p, String key) {
        String v = p.getProperty(key);
        return v == null ? List.of() : Arrays.stream(v.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    private static String required(Properties p, Path file, String key) {
        String v = p.getProperty(key);
        if (v == null || v.isBlank()) {
            throw new IllegalArgumentException(file + " lacks '" + key + "'");
        }
        return v.trim();
    }

    private static jakarta.jms.XAConnectionFactory connectionFactory(Path file, String name, Map<String, String> settings) {
        String origin = file + ": JMS connection factory '" + name + "'";
        String className = settings.remove("xa-factory-class");
        if (className == null) {
            throw new IllegalArgumentException(origin + " lacks jms." + name + ".xa-factory-class=CLASS (e.g."
                    + " org.apache.activemq.artemis.jms.client.ActiveMQXAConnectionFactory)");
        }
        JMS_POOL_ONLY.forEach(settings::remove);
        Object factory;
        try {
            Class<?> type = Class.forName(className.trim(), false, RecoveryConfig.class.getClassLoader());
            if (!jakarta.jms.XAConnectionFactory.class.isAssignableFrom(type)) {
                throw new IllegalArgumentException(origin + ": " + className + " is not a jakarta.jms.XAConnectionFactory");
            }
            factory = type.getConstructor().newInstance();
        } catch (ClassNotFoundException e) {
            throw new IllegalArgumentException(origin + ": XA connection factory class " + className + " is not on the class path", e);
        } catch (ReflectiveOperationException e) {
            throw new IllegalArgumentException(origin + ": cannot create " + className + " (" + e + ")", e);
        }
        String url = settings.remove("url");
        if (url != null) { // url: setUrl where the provider has one, else Artemis's setBrokerURL
            boolean hasSetUrl = Arrays.stream(factory.getClass().getMethods()).anyMatch(m -> m.getName().equalsIgnoreCase("setUrl"));
            settings.put(hasSetUrl ? "url" : "brokerURL", url);
        }
        XaDataSources.setProperties(factory, settings, origin);
        return (jakarta.jms.XAConnectionFactory) factory;
    }

    private static XADataSource dataSource(Path file, String name, Map<String, String> settings) {
        String className = settings.remove("xa-datasource");
        String alias = settings.remove("xa-class");
        if (className == null) {
            className = alias;
        }
        if (className == null) {
            throw new IllegalArgumentException(file + ": resource '" + name + "' lacks resource." + name + ".xa-datasource=CLASS");
        }
        POOL_ONLY.forEach(settings::remove);
        return XaDataSources.create(className, settings, file + ": resource '" + name + "'", RecoveryConfig.class.getClassLoader());
    }
}
