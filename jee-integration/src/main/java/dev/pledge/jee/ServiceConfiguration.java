package dev.pledge.jee;

import dev.pledge.tm.TransactionService;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The settings of a {@link TransactionService} as text, as containers hand them over: MicroProfile
 * Config, system properties, a {@code pledge.properties} file, or the attributes of a JNDI reference.
 * Keys are the builder's option names ({@code nodeName}, {@code logDirectory}, {@code defaultTimeout},
 * {@code recoveryInterval}, {@code unsafeDisableFsync}, {@code nodeLockDirectory}, {@code renamedFrom}
 * with former names separated by commas), and for a log in a database instead of a directory
 * {@code databaseLog.url}, {@code databaseLog.user}, {@code databaseLog.password} (a JDBC URL, for a
 * plain {@link java.sql.DriverManager} data source) or {@code databaseLog.jndiName} (a
 * {@link javax.sql.DataSource} looked up in JNDI), {@code databaseLogTablePrefix}, {@code leaseDuration} and
 * {@code drainTimeout}; an unknown key or a malformed value fails
 * with the key, the value and where it came from. The one exception: an unknown {@code pledge.*}
 * key that is set as a JVM system property is only logged as a warning, because build tools hand
 * their own properties over that way ({@code mvn -Dpledge.version=…} reaches the test JVM) and the
 * key may not be meant for Pledge at all; in {@code pledge.properties}, in a MicroProfile Config
 * file or on a JNDI reference, a key is certainly Pledge's, so a misspelt one still fails.
 */
public final class ServiceConfiguration {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(ServiceConfiguration.class);
    /** Prefix of the keys in MicroProfile Config, system properties and {@code pledge.properties}. */
    public static final String PREFIX = "pledge.";
    /** The class-path resource read when MicroProfile Config is absent. */
    public static final String PROPERTIES_RESOURCE = "pledge.properties";
    /** The JDBC URL of a database log (PostgreSQL, MariaDB/MySQL, H2), reached through {@link java.sql.DriverManager}. */
    public static final String DATABASE_LOG_URL = "databaseLog.url";
    /** The user of {@link #DATABASE_LOG_URL}. */
    public static final String DATABASE_LOG_USER = "databaseLog.user";
    /** The password of {@link #DATABASE_LOG_URL}; never printed. */
    public static final String DATABASE_LOG_PASSWORD = "databaseLog.password";
    /** The JNDI name of a plain (not XA) {@link javax.sql.DataSource} for the database log, instead of a URL. */
    public static final String DATABASE_LOG_JNDI_NAME = "databaseLog.jndiName";
    /** The prefix of the database log's tables (default {@code pledge_}). */
    public static final String DATABASE_LOG_TABLE_PREFIX = "databaseLogTablePrefix";
    /** Whether the CDI extension traces through the application's {@code OpenTelemetry} bean, when it has one: true (default) or false. */
    public static final String TRACING = "tracing";
    /** The keys, without prefix. */
    public static final List<String> KEYS = List.of("nodeName", "logDirectory", "defaultTimeout", "recoveryInterval",
            "unsafeDisableFsync", "nodeLockDirectory", "renamedFrom", DATABASE_LOG_URL, DATABASE_LOG_USER, DATABASE_LOG_PASSWORD,
            DATABASE_LOG_JNDI_NAME, DATABASE_LOG_TABLE_PREFIX, "leaseDuration", "drainTimeout", TRACING);

    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h)?");

    /** One setting and where it came from, for error messages. */
    public record Setting(String key, String value, String origin) {
        @Override
        public String toString() {
            return key + " = '" + dev.pledge.tm.Redaction.value(key, value) + "' (" + origin + ")";
        }
    }

    /** Key prefix (after {@link #PREFIX}) of the data sources declared in configuration: {@code datasource.NAME.KEY}. */
    public static final String DATASOURCE = "datasource.";

    /**
     * A data source declared in configuration, {@code pledge.datasource.NAME.*}: {@code xa-class} (the
     * driver's XA data source), {@code max-pool-size}, {@code min-pool-size}, {@code acquisition-timeout}
     * (a duration), and every other key set on the XA data source through its setters ({@code url},
     * {@code user}, {@code password}, ...).
     */
    public record DataSourceSettings(String name, Setting xaClass, Map<String, String> properties, Setting maxPoolSize,
            Setting minPoolSize, Setting acquisitionTimeout, String origin) {
        /** The configured XA data source, made with its properties. */
        public javax.sql.XADataSource xaDataSource(ClassLoader loader) {
            return dev.pledge.xa.jdbc.XaDataSources.create(xaClass.value().trim(), properties, origin, loader);
        }

        /** The pool on {@code service}: enlisting, registered for recovery under {@link #name}. */
        public dev.pledge.xa.jdbc.TransactionalDataSource build(TransactionService service, ClassLoader loader) {
            var b = dev.pledge.xa.jdbc.TransactionalDataSource.builder(service).name(name).xaDataSource(xaDataSource(loader));
            if (maxPoolSize != null) {
                b.maxPoolSize(atLeast(maxPoolSize, 1));
            }
            if (minPoolSize != null) {
                b.minPoolSize(atLeast(minPoolSize, 0));
            }
            if (acquisitionTimeout != null) {
                b.acquisitionTimeout(duration(acquisitionTimeout));
            }
            return b.build();
        }
    }

    /** Key prefix (after {@link #PREFIX}) of the JMS connection factories declared in configuration: {@code jms.NAME.KEY}. */
    public static final String JMS = "jms.";

    /**
     * A JMS connection factory declared in configuration, {@code pledge.jms.NAME.*}: {@code xa-factory-class}
     * (the provider's XA connection factory), {@code max-connections}, {@code max-sessions-per-connection},
     * and every other key (the map key: the part after NAME) set on the XA connection factory through its setters ({@code url} also as
     * {@code brokerURL}, Artemis's name, {@code user}, {@code password}, ...). Text only: the JMS
     * adapter, an optional dependency, is loaded by {@code dev.pledge.jee.naming.ConfiguredConnectionFactories} when one is declared.
     */
    public record ConnectionFactorySettings(String name, Setting xaFactoryClass, Map<String, Setting> properties, Setting maxConnections,
            Setting maxSessionsPerConnection, String origin) {
    }

    private final Map<String, Setting> settings;
    private final Map<String, DataSourceSettings> dataSources;
    private final Map<String, ConnectionFactorySettings> connectionFactories;

    private ServiceConfiguration(Map<String, Setting> settings) {
        this(settings, Map.of(), Map.of());
    }

    private ServiceConfiguration(Map<String, Setting> settings, Map<String, DataSourceSettings> dataSources,
            Map<String, ConnectionFactorySettings> connectionFactories) {
        this.settings = settings;
        this.dataSources = dataSources;
        this.connectionFactories = connectionFactories;
    }

    /** The JMS connection factories declared with {@code pledge.jms.NAME.*}, by name, in the order of their names. */
    public Map<String, ConnectionFactorySettings> connectionFactories() {
        return connectionFactories;
    }

    /** The data sources declared with {@code pledge.datasource.NAME.*}, by name, in the order of their names. */
    public Map<String, DataSourceSettings> dataSources() {
        return dataSources;
    }

    /** Settings keyed without prefix; every key must be one of {@link #KEYS}. */
    public static ServiceConfiguration of(Map<String, Setting> settings) {
        for (Setting s : settings.values()) {
            if (!KEYS.contains(s.key())) {
                throw new IllegalArgumentException("Unknown Pledge setting " + s + "; the known settings are " + KEYS);
            }
        }
        return new ServiceConfiguration(new LinkedHashMap<>(settings));
    }

    /**
     * The {@code pledge.*} settings of the environment: MicroProfile Config when an implementation
     * is on the class path, else system properties over {@code pledge.properties} on the class path.
     */
    public static ServiceConfiguration fromEnvironment(ClassLoader loader) {
        Map<String, Setting> found = MicroProfile.isPresent(loader) ? MicroProfile.read(loader) : systemAndFile(loader);
        Map<String, Setting> bare = new LinkedHashMap<>();
        Map<String, Map<String, Setting>> declared = new java.util.TreeMap<>();
        Map<String, Map<String, Setting>> declaredJms = new java.util.TreeMap<>();
        for (Setting s : found.values()) {
            String key = s.key().substring(PREFIX.length());
            if (key.startsWith(DATASOURCE)) {
                putNamed(declared, DATASOURCE, key, s);
                continue;
            }
            if (key.startsWith(JMS)) {
                putNamed(declaredJms, JMS, key, s);
                continue;
            }
            if (!KEYS.contains(key) && System.getProperty(s.key()) != null) {
                log.warn("Ignoring system property {}: it is not a Pledge setting (the known ones are {}); if it was meant for Pledge,"
                        + " check its spelling", s, KEYS.stream().map(k -> PREFIX + k).toList());
                continue;
            }
            if (!KEYS.contains(key)) {
                throw new IllegalArgumentException("Unknown Pledge setting " + s + "; the known settings are "
                        + KEYS.stream().map(k -> PREFIX + k).toList());
            }
            bare.put(key, new Setting(key, s.value(), s.origin() + ", " + s.key()));
        }
        Map<String, DataSourceSettings> dataSources = new LinkedHashMap<>();
        declared.forEach((name, keys) -> dataSources.put(name, dataSource(name, keys)));
        Map<String, ConnectionFactorySettings> connectionFactories = new LinkedHashMap<>();
        declaredJms.forEach((name, keys) -> connectionFactories.put(name, connectionFactory(name, keys)));
        return new ServiceConfiguration(bare, dataSources, connectionFactories);
    }

    /** Files {@code s}, whose key (without {@link #PREFIX}) reads {@code kind}NAME.KEY, under NAME and KEY. */
    private static void putNamed(Map<String, Map<String, Setting>> declared, String kind, String key, Setting s) {
        String rest = key.substring(kind.length());
        int dot = rest.indexOf('.');
        if (dot <= 0 || dot == rest.length() - 1) {
            throw new IllegalArgumentException("Pledge setting " + s + " must read " + PREFIX + kind + "NAME.KEY");
        }
        declared.computeIfAbsent(rest.substring(0, dot), n -> new LinkedHashMap<>()).put(rest.substring(dot + 1), s);
    }

    private static ConnectionFactorySettings connectionFactory(String name, Map<String, Setting> keys) {
        Map<String, Setting> rest = new LinkedHashMap<>(keys);
        Setting xaClass = removeClassKey(rest, JMS, name, "xa-factory-class", "JMS connection factory",
                "the provider's XA connection factory, e.g. org.apache.activemq.artemis.jms.client.ActiveMQXAConnectionFactory");
        Setting max = rest.remove("max-connections");
        Setting sessions = rest.remove("max-sessions-per-connection");
        return new ConnectionFactorySettings(name, xaClass, java.util.Collections.unmodifiableMap(rest), max, sessions,
                xaClass.origin() + ", " + PREFIX + JMS + name + ".*");
    }

    /** Removes and returns the key of {@code rest} that names the class to make; fails naming the full key when it is missing. */
    private static Setting removeClassKey(Map<String, Setting> rest, String kind, String name, String classKey, String what, String hint) {
        Setting any = rest.values().iterator().next();
        Setting found = rest.remove(classKey);
        if (found == null) {
            throw new IllegalArgumentException(what + " '" + name + "' (" + any.origin() + ") has no " + PREFIX + kind + name + "."
                    + classKey + ": name " + hint);
        }
        return found;
    }

    private static DataSourceSettings dataSource(String name, Map<String, Setting> keys) {
        Map<String, Setting> rest = new LinkedHashMap<>(keys);
        Setting xaClass = removeClassKey(rest, DATASOURCE, name, "xa-class", "Data source",
                "the driver's XA data source, e.g. org.postgresql.xa.PGXADataSource");
        String prefix = PREFIX + DATASOURCE + name + ".";
        Setting max = rest.remove("max-pool-size");
        Setting min = rest.remove("min-pool-size");
        Setting acquisition = rest.remove("acquisition-timeout");
        Map<String, String> properties = new LinkedHashMap<>();
        rest.forEach((k, v) -> properties.put(k, v.value()));
        return new DataSourceSettings(name, xaClass, properties, max, min, acquisition, xaClass.origin() + ", " + prefix + "*");
    }

    /** The whole number {@code s} holds, refused naming the key, the value and where it was set when below {@code min}. */
    private static int atLeast(Setting s, int min) {
        int value = integer(s);
        if (value < min) {
            throw new IllegalArgumentException("Pledge setting " + s + " is refused: it must be at least " + min);
        }
        return value;
    }

    private static int integer(Setting s) {
        try {
            return Integer.parseInt(s.value().trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("Pledge setting " + s + " is not a whole number", e);
        }
    }

    /** {@link #TRACING}: true unless set to false. */
    public boolean tracing() {
        Setting s = settings.get(TRACING);
        return s == null || bool(s);
    }

    /** The node name set, or null when the host name default applies. */
    public String nodeName() {
        Setting s = settings.get("nodeName");
        return s == null ? null : s.value().trim();
    }

    /** A builder with every setting applied; {@code build()} validates the combination. */
    public TransactionService.Builder builder() {
        TransactionService.Builder b = TransactionService.builder();
        for (Setting s : settings.values()) {
            String v = s.value().trim();
            try {
                switch (s.key()) {
                    case "nodeName" -> b.nodeName(v);
                    case "logDirectory" -> b.logDirectory(Path.of(v));
                    case "defaultTimeout" -> b.defaultTimeout(duration(s));
                    case "recoveryInterval" -> b.recoveryInterval(duration(s));
                    case "unsafeDisableFsync" -> {
                        if (bool(s)) {
                            b.unsafeDisableFsync();
                        }
                    }
                    case "nodeLockDirectory" -> b.nodeLockDirectory(Path.of(v));
                    case DATABASE_LOG_URL, DATABASE_LOG_USER, DATABASE_LOG_PASSWORD, DATABASE_LOG_JNDI_NAME -> {
                        // below, together
                    }
                    case DATABASE_LOG_TABLE_PREFIX -> b.databaseLogTablePrefix(v);
                    case "leaseDuration" -> b.leaseDuration(duration(s));
                    case "drainTimeout" -> b.drainTimeout(duration(s));
                    case TRACING -> bool(s); // validated here; the CDI extension reads it (tracing())
                    case "renamedFrom" -> b.renamedFrom(java.util.Arrays.stream(v.split(",")).map(String::trim).filter(n -> !n.isEmpty())
                            .toArray(String[]::new));
                    default -> throw new IllegalStateException(s.key());
                }
            } catch (java.nio.file.InvalidPathException e) {
                throw new IllegalArgumentException("Pledge setting " + s + " is not a valid path: " + e.getMessage(), e);
            }
        }
        javax.sql.DataSource databaseLog = databaseLog();
        if (databaseLog != null) {
            b.databaseLog(databaseLog);
        }
        return b;
    }

    /** True when the settings name a database log (a URL or a JNDI name). */
    public boolean namesDatabaseLog() {
        return settings.containsKey(DATABASE_LOG_URL) || settings.containsKey(DATABASE_LOG_JNDI_NAME);
    }

    /** The setting {@code key} (without prefix), or null. */
    public Setting setting(String key) {
        return settings.get(key);
    }

    /** The data source of the database log the settings name, or null when they name none. */
    private javax.sql.DataSource databaseLog() {
        Setting url = settings.get(DATABASE_LOG_URL);
        Setting user = settings.get(DATABASE_LOG_USER);
        Setting password = settings.get(DATABASE_LOG_PASSWORD);
        Setting jndi = settings.get(DATABASE_LOG_JNDI_NAME);
        if (url != null && jndi != null) {
            throw new IllegalArgumentException("Pledge settings " + url + " and " + jndi + " both name a database log: keep one");
        }
        if (url == null && (user != null || password != null)) {
            throw new IllegalArgumentException("Pledge setting " + (user != null ? user : password) + " needs " + PREFIX + DATABASE_LOG_URL
                    + (jndi != null ? " (a data source looked up by " + PREFIX + DATABASE_LOG_JNDI_NAME + " brings its own credentials)" : ""));
        }
        if (url != null) {
            try {
                return dev.pledge.tm.log.db.UrlDataSources.of(url.value().trim(), user == null ? null : user.value().trim(),
                        password == null ? null : password.value());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("Pledge setting " + url + ": " + e.getMessage(), e);
            }
        }
        if (jndi != null) {
            return lookUpDataSource(jndi);
        }
        return null;
    }

    private static javax.sql.DataSource lookUpDataSource(Setting jndi) {
        Object found;
        try {
            found = new javax.naming.InitialContext().lookup(jndi.value().trim());
        } catch (javax.naming.NamingException e) {
            throw new IllegalStateException("Pledge setting " + jndi + ": cannot look up the database log's data source: " + e, e);
        }
        if (found instanceof javax.sql.DataSource ds) {
            return ds;
        }
        throw new IllegalArgumentException("Pledge setting " + jndi + " names " + (found == null ? "nothing" : "a " + found.getClass().getName())
                + ", not a javax.sql.DataSource (a plain, non-XA one: the log takes its own connections)");
    }

    /**
     * {@link #builder()}, with each declared data source and connection factory registered for the first recovery pass that
     * {@code build()} runs, so that branches a crash left on them are finished before the application starts.
     */
    public TransactionService.Builder builder(ClassLoader loader) {
        TransactionService.Builder b = builder();
        for (DataSourceSettings ds : dataSources.values()) {
            b.recoveryResource(ds.name(), dev.pledge.xa.jdbc.TransactionalDataSource.recoveryResource(ds.name(), ds.xaDataSource(loader)));
        }
        if (!connectionFactories.isEmpty()) { // only then is the JMS adapter, an optional dependency, loaded
            dev.pledge.jee.naming.ConfiguredConnectionFactories.registerForRecovery(b, connectionFactories.values(), loader);
        }
        return b;
    }

    private static Duration duration(Setting s) {
        String v = s.value().trim();
        if (v.toUpperCase(Locale.ROOT).startsWith("P")) {
            try {
                return Duration.parse(v);
            } catch (DateTimeParseException e) {
                throw malformedDuration(s);
            }
        }
        Matcher m = DURATION.matcher(v);
        if (!m.matches()) {
            throw malformedDuration(s);
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "s" : m.group(2);
        return switch (unit) {
            case "ms" -> Duration.ofMillis(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofSeconds(n);
        };
    }

    private static IllegalArgumentException malformedDuration(Setting s) {
        return new IllegalArgumentException("Pledge setting " + s + " is not a duration; write seconds (30), "
                + "a number with a unit (500ms, 30s, 2m, 1h) or ISO-8601 (PT30S)");
    }

    private static boolean bool(Setting s) {
        return switch (s.value().trim().toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException("Pledge setting " + s + " must be true or false");
        };
    }

    private static Map<String, Setting> systemAndFile(ClassLoader loader) {
        Map<String, Setting> found = new LinkedHashMap<>();
        URL file = loader.getResource(PROPERTIES_RESOURCE);
        if (file != null) {
            Properties p = new Properties();
            try (InputStream in = file.openStream()) {
                p.load(in);
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot read " + file, e);
            }
            // every key of this file is Pledge's: the file name says so, the prefix is optional
            p.stringPropertyNames().forEach(k -> {
                String key = k.startsWith(PREFIX) ? k : PREFIX + k;
                found.put(key, new Setting(key, p.getProperty(k), file.toString()));
            });
        }
        Properties system = System.getProperties();
        system.stringPropertyNames().stream().filter(k -> k.startsWith(PREFIX))
                .forEach(k -> found.put(k, new Setting(k, system.getProperty(k), "system property")));
        return found;
    }

    /** Kept apart so that the class loads without the MicroProfile Config API. */
    private static final class MicroProfile {
        static boolean isPresent(ClassLoader loader) {
            try {
                Class.forName("org.eclipse.microprofile.config.ConfigProvider", false, loader);
                Class.forName("org.eclipse.microprofile.config.spi.ConfigProviderResolver", true, loader);
                return org.eclipse.microprofile.config.spi.ConfigProviderResolver.instance() != null;
            } catch (ClassNotFoundException | LinkageError | IllegalStateException absent) {
                return false; // no API or no implementation
            }
        }

        static Map<String, Setting> read(ClassLoader loader) {
            org.eclipse.microprofile.config.Config config = org.eclipse.microprofile.config.ConfigProvider.getConfig(loader);
            Map<String, Setting> found = new LinkedHashMap<>();
            for (String name : config.getPropertyNames()) {
                if (!name.startsWith(PREFIX)) {
                    continue;
                }
                String origin = originOf(config, name);
                config.getOptionalValue(name, String.class).ifPresent(v -> found.put(name, new Setting(name, v, origin)));
            }
            return found;
        }

        private static String originOf(org.eclipse.microprofile.config.Config config, String name) {
            for (org.eclipse.microprofile.config.spi.ConfigSource source : config.getConfigSources()) {
                if (source.getValue(name) != null) {
                    return "MicroProfile Config source " + source.getName();
                }
            }
            return "MicroProfile Config";
        }
    }
}
