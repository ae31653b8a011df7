package dev.pledge.jee;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pledge.tm.TransactionService;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServiceConfigurationTest {
    @TempDir
    Path dir;

    @AfterEach
    void clearSystemProperties() {
        System.clearProperty("pledge.nodeName");
        System.clearProperty("pledge.defaultTimeout");
        System.clearProperty("pledge.version");
    }

    /** A class loader that sees only {@code pledge.properties} in the temp directory, and no MicroProfile Config. */
    private ClassLoader withPropertiesFile(String content) throws Exception {
        Files.writeString(dir.resolve("pledge.properties"), content);
        return new URLClassLoader(new URL[] {dir.toUri().toURL()}, ClassLoader.getPlatformClassLoader());
    }

    @Test
    void withoutMicroProfileConfigThePropertiesFileBuildsTheServiceAndSystemPropertiesOverrideIt() throws Exception {
        Path log = dir.resolve("log");
        ClassLoader loader = withPropertiesFile("nodeName=jee-conf-file\nlogDirectory=" + log + "\nrecoveryInterval=0\ndefaultTimeout=PT5S\n");
        assertEquals("jee-conf-file", ServiceConfiguration.fromEnvironment(loader).nodeName());
        System.setProperty("pledge.nodeName", "jee-conf-sys");
        try (TransactionService svc = ServiceConfiguration.fromEnvironment(loader).builder().build()) {
            assertEquals("jee-conf-sys", svc.nodeName());
            assertTrue(Files.isDirectory(log), "the log directory of the file is used");
        }
    }

    @Test
    void theNodeLockDirectoryAndFormerNodeNamesAreSettingsToo() throws Exception {
        Path log = dir.resolve("log");
        Path claims = dir.resolve("claims");
        ClassLoader loader = withPropertiesFile("nodeName=jee-conf-renamed\nlogDirectory=" + log + "\nrecoveryInterval=0\n"
                + "nodeLockDirectory=" + claims + "\nrenamedFrom=jee-conf-old-1, jee-conf-old-2\n");
        Files.createDirectories(log);
        Files.writeString(log.resolve("node-name"), "jee-conf-old-2\n"); // the log of the node's former name
        String fromBuild = System.clearProperty("pledge.nodeLockDirectory"); // the build's system property would override the file
        try (TransactionService svc = ServiceConfiguration.fromEnvironment(loader).builder().build()) {
            assertEquals("jee-conf-renamed", svc.nodeName());
            for (String n : new String[] {"jee-conf-renamed", "jee-conf-old-1", "jee-conf-old-2"}) {
                assertTrue(Files.exists(claims.resolve(n + ".lock")), "claimed in the configured directory: " + n);
            }
        } finally {
            if (fromBuild != null) {
                System.setProperty("pledge.nodeLockDirectory", fromBuild);
            }
        }
        assertEquals("jee-conf-renamed", Files.readString(log.resolve("node-name")).strip());
    }

    @Test
    void aPropertiesFileNamingAnH2DatabaseAsTheLogBuildsTheServiceOnTheDatabaseLog() throws Exception {
        String url = "jdbc:h2:file:" + dir.resolve("logdb").toAbsolutePath();
        ClassLoader loader = withPropertiesFile("nodeName=jee-conf-db\nrecoveryInterval=0\ndatabaseLog.url=" + url
                + "\ndatabaseLog.user=sa\ndatabaseLog.password=s3cret\ndatabaseLogTablePrefix=jee_\n");
        // H2 checks the password it was created with: create the database with this one first
        try (java.sql.Connection c = java.sql.DriverManager.getConnection(url, "sa", "s3cret")) {
            assertTrue(c.isValid(1));
        }
        try (TransactionService svc = ServiceConfiguration.fromEnvironment(loader).builder().build()) {
            assertEquals("jee-conf-db", svc.nodeName());
            svc.transactionManager().begin();
            svc.transactionManager().getTransaction().enlistResource(new OneResource());
            svc.transactionManager().getTransaction().enlistResource(new OneResource());
            svc.transactionManager().commit();
        }
        try (java.sql.Connection c = java.sql.DriverManager.getConnection(url, "sa", "s3cret");
             java.sql.ResultSet rs = c.createStatement().executeQuery("SELECT (SELECT COUNT(*) FROM jee_schema_version),"
                     + " (SELECT COUNT(*) FROM jee_node WHERE name = 'jee-conf-db')")) {
            assertTrue(rs.next());
            assertEquals(1, rs.getInt(1), "the service made the database log's tables");
            assertEquals(0, rs.getInt(2), "closing with nothing in doubt drained the node and deleted its row");
        }
        ClassLoader both = withPropertiesFile("nodeName=jee-conf-db2\nlogDirectory=" + dir.resolve("l") + "\ndatabaseLog.url=" + url + "\n");
        IllegalArgumentException twice = assertThrows(IllegalArgumentException.class, () -> ServiceConfiguration.fromEnvironment(both).builder().build());
        assertTrue(twice.getMessage().contains("logDirectory") && twice.getMessage().contains("databaseLog"), twice.getMessage());
        ClassLoader noUrl = withPropertiesFile("nodeName=jee-conf-db3\ndatabaseLog.user=sa\ndatabaseLog.password=hidden-pw\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ServiceConfiguration.fromEnvironment(noUrl).builder());
        assertTrue(e.getMessage().contains("needs pledge.databaseLog.url"), e.getMessage());
        assertFalse(e.getMessage().contains("hidden-pw"), e.getMessage());
        ClassLoader fileLease = withPropertiesFile("nodeName=jee-conf-db4\nlogDirectory=" + dir.resolve("l4") + "\nleaseDuration=5s\n");
        IllegalArgumentException noLease = assertThrows(IllegalArgumentException.class,
                () -> ServiceConfiguration.fromEnvironment(fileLease).builder().build());
        assertTrue(noLease.getMessage().contains("leaseDuration") && noLease.getMessage().contains("databaseLog"), noLease.getMessage());
        ClassLoader badDrain = withPropertiesFile("nodeName=jee-conf-db5\ndatabaseLog.url=" + url + "\ndrainTimeout=soon\n");
        IllegalArgumentException malformed = assertThrows(IllegalArgumentException.class,
                () -> ServiceConfiguration.fromEnvironment(badDrain).builder());
        assertTrue(malformed.getMessage().contains("drainTimeout") && malformed.getMessage().contains("soon"), malformed.getMessage());
    }

    @Test
    void aJndiNameForTheDatabaseLogIsLookedUpAsAPlainDataSource() throws Exception {
        org.h2.jdbcx.JdbcDataSource h2 = new org.h2.jdbcx.JdbcDataSource();
        h2.setURL("jdbc:h2:file:" + dir.resolve("jndilogdb").toAbsolutePath());
        h2.setUser("sa");
        OneNameContextFactory.bound = java.util.Map.of("java:comp/env/jdbc/pledgeLog", h2, "java:comp/env/jdbc/notADataSource", "text");
        System.setProperty(javax.naming.Context.INITIAL_CONTEXT_FACTORY, OneNameContextFactory.class.getName());
        try {
            ClassLoader loader = withPropertiesFile("nodeName=jee-conf-jndi\nrecoveryInterval=0\ndatabaseLog.jndiName=java:comp/env/jdbc/pledgeLog\n");
            try (TransactionService svc = ServiceConfiguration.fromEnvironment(loader).builder().build()) {
                svc.transactionManager().begin();
                svc.transactionManager().getTransaction().enlistResource(new OneResource());
                svc.transactionManager().getTransaction().enlistResource(new OneResource());
                svc.transactionManager().commit();
            }
            try (java.sql.Connection c = h2.getConnection();
                 java.sql.ResultSet rs = c.createStatement().executeQuery("SELECT (SELECT COUNT(*) FROM pledge_schema_version),"
                         + " (SELECT COUNT(*) FROM pledge_node WHERE name = 'jee-conf-jndi')")) {
                assertTrue(rs.next());
                assertEquals(1, rs.getInt(1), "the service made the database log's tables");
                assertEquals(0, rs.getInt(2), "closing with nothing in doubt drained the node and deleted its row");
            }
            ClassLoader wrong = withPropertiesFile("nodeName=jee-conf-jndi\ndatabaseLog.jndiName=java:comp/env/jdbc/notADataSource\n");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ServiceConfiguration.fromEnvironment(wrong).builder());
            assertTrue(e.getMessage().contains("not a javax.sql.DataSource"), e.getMessage());
        } finally {
            System.clearProperty(javax.naming.Context.INITIAL_CONTEXT_FACTORY);
        }
    }

    /** A JNDI provider that knows a few names and nothing else. */
    public static final class OneNameContextFactory implements javax.naming.spi.InitialContextFactory {
        static volatile java.util.Map<String, Object> bound = java.util.Map.of();

        @Override
        public javax.naming.Context getInitialContext(java.util.Hashtable<?, ?> environment) {
            return (javax.naming.Context) java.lang.reflect.Proxy.newProxyInstance(getClass().getClassLoader(),
                    new Class<?>[] {javax.naming.Context.class}, (proxy, method, args) -> {
                        if (method.getName().equals("lookup") && args != null && args[0] instanceof String name) {
                            Object o = bound.get(name);
                            if (o == null) {
                                throw new javax.naming.NameNotFoundException(name);
                            }
                            return o;
                        }
                        if (method.getName().equals("close")) {
                            return null;
                        }
                        throw new javax.naming.OperationNotSupportedException(method.getName());
                    });
        }
    }

    /** A resource without data that votes yes, so that the commit writes a decision; it keeps the timeout it was told. */
    private static final class OneResource implements javax.transaction.xa.XAResource {
        int timeoutSeconds = -1;

        public void commit(javax.transaction.xa.Xid xid, boolean onePhase) {
        }

        public void end(javax.transaction.xa.Xid xid, int flags) {
        }

        public void forget(javax.transaction.xa.Xid xid) {
        }

        public int getTransactionTimeout() {
            return 0;
        }

        public boolean isSameRM(javax.transaction.xa.XAResource other) {
            return false;
        }

        public int prepare(javax.transaction.xa.Xid xid) {
            return XA_OK;
        }

        public javax.transaction.xa.Xid[] recover(int flag) {
            return new javax.transaction.xa.Xid[0];
        }

        public void rollback(javax.transaction.xa.Xid xid) {
        }

        public boolean setTransactionTimeout(int seconds) {
            timeoutSeconds = seconds;
            return true;
        }

        public void start(javax.transaction.xa.Xid xid, int flags) {
        }
    }

    /**
     * Durations as docs/configuration.md lists them, read back as the timeout each branch is told at its start
     * (a transaction timeout is whole seconds, as in JTA: rounded down, at least one).
     */
    @org.junit.jupiter.params.ParameterizedTest(name = "defaultTimeout={0}")
    @org.junit.jupiter.params.provider.CsvSource({"30, 30", "45s, 45", "2m, 120", "1h, 3600", "PT90S, 90", "1500ms, 1", "500ms, 1"})
    void aDurationIsSecondsOrANumberWithAUnitOrIso8601(String value, int seconds) throws Exception {
        ClassLoader loader = withPropertiesFile("nodeName=jee-conf-duration\nlogDirectory=" + dir.resolve("log") + "\nrecoveryInterval=0\n"
                + "defaultTimeout=" + value + "\n");
        try (TransactionService svc = ServiceConfiguration.fromEnvironment(loader).builder().build()) {
            OneResource r = new OneResource();
            svc.transactionManager().begin();
            svc.transactionManager().getTransaction().enlistResource(r);
            svc.transactionManager().rollback();
            assertEquals(seconds, r.timeoutSeconds, "the whole seconds left of a " + value + " timeout");
        }
    }

    @Test
    void aDeclaredDataSourcesMalformedPoolSettingNamesTheKeyTheValueAndTheFileBeforeConnecting() throws Exception {
        ClassLoader loader = withPropertiesFile("nodeName=jee-conf-pool\nlogDirectory=" + dir.resolve("log") + "\nrecoveryInterval=0\n"
                + "datasource.orders.xa-class=org.h2.jdbcx.JdbcDataSource\ndatasource.orders.url=jdbc:h2:mem:orders\n"
                + "datasource.orders.max-pool-size=twenty\n");
        ServiceConfiguration config = ServiceConfiguration.fromEnvironment(loader);
        try (TransactionService svc = config.builder().build()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> config.dataSources().get("orders").build(svc, getClass().getClassLoader()));
            assertTrue(e.getMessage().contains("max-pool-size = 'twenty'") && e.getMessage().contains("pledge.properties")
                    && e.getMessage().endsWith("is not a whole number"), e.getMessage());
        }
        ClassLoader badTimeout = withPropertiesFile("datasource.orders.xa-class=org.h2.jdbcx.JdbcDataSource\n"
                + "datasource.orders.acquisition-timeout=a while\n");
        ServiceConfiguration timeout = ServiceConfiguration.fromEnvironment(badTimeout);
        try (TransactionService svc = TransactionService.builder().nodeName("jee-conf-pool2").logDirectory(dir.resolve("log2"))
                .recoveryInterval(java.time.Duration.ZERO).build()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> timeout.dataSources().get("orders").build(svc, getClass().getClassLoader()));
            assertTrue(e.getMessage().contains("acquisition-timeout = 'a while'") && e.getMessage().contains("is not a duration"), e.getMessage());
        }
    }

    @Test
    void aDeclaredDataSourcesPoolSizeBelowItsMinimumNamesTheKeyTheValueAndTheFileBeforeConnecting() throws Exception {
        for (String setting : java.util.List.of("max-pool-size=0", "min-pool-size=-1")) {
            ClassLoader loader = withPropertiesFile("datasource.orders.xa-class=org.h2.jdbcx.JdbcDataSource\n"
                    + "datasource.orders.url=jdbc:h2:mem:orders\ndatasource.orders." + setting + "\n");
            ServiceConfiguration config = ServiceConfiguration.fromEnvironment(loader);
            try (TransactionService svc = TransactionService.builder().nodeName("jee-conf-pool-min").logDirectory(dir.resolve("log-min"))
                    .recoveryInterval(java.time.Duration.ZERO).build()) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> config.dataSources().get("orders").build(svc, getClass().getClassLoader()));
                String key = setting.substring(0, setting.indexOf('='));
                String value = setting.substring(setting.indexOf('=') + 1);
                assertTrue(e.getMessage().contains(key + " = '" + value + "'") && e.getMessage().contains("pledge.properties")
                        && e.getMessage().contains("is refused: it must be at least"), e.getMessage());
            }
        }
    }

    @Test
    void aMalformedDurationNamesTheKeyTheValueAndTheFile() throws Exception {
        ClassLoader loader = withPropertiesFile("defaultTimeout=ten seconds\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ServiceConfiguration.fromEnvironment(loader).builder());
        assertTrue(e.getMessage().startsWith("Pledge setting defaultTimeout = 'ten seconds' (file:"), e.getMessage());
        assertTrue(e.getMessage().contains("pledge.properties") && e.getMessage().contains("30s"), e.getMessage());
    }

    @Test
    void anUnknownKeyIsRefusedWithTheKnownOnes() throws Exception {
        ClassLoader loader = withPropertiesFile("nodname=jee-typo\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ServiceConfiguration.fromEnvironment(loader));
        assertTrue(e.getMessage().startsWith("Unknown Pledge setting pledge.nodname = 'jee-typo'"), e.getMessage());
        assertTrue(e.getMessage().contains("pledge.nodeName"), e.getMessage());
    }

    @Test
    void aBuildToolsSystemPropertyInPledgesNamespaceIsIgnoredWhileAMisspeltKeyInTheFileStillFails() throws Exception {
        System.setProperty("pledge.version", "0.1.0-SNAPSHOT"); // as mvn -Dpledge.version=... hands it to the test JVM
        ClassLoader good = withPropertiesFile("nodeName=jee-conf-build\n");
        assertEquals("jee-conf-build", ServiceConfiguration.fromEnvironment(good).nodeName());
        ClassLoader typo = withPropertiesFile("nodeName=jee-conf-build\nlogDirektory=/tmp/x\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ServiceConfiguration.fromEnvironment(typo));
        assertTrue(e.getMessage().startsWith("Unknown Pledge setting pledge.logDirektory"), e.getMessage());
    }

    @Test
    void aJmsConnectionFactoryIsDeclaredByNameWithItsProviderClassAndPoolSettings() throws Exception {
        ClassLoader loader = withPropertiesFile("jms.events.xa-factory-class=org.example.XaFactory\njms.events.url=tcp://mq:61616\n"
                + "jms.events.max-connections=4\njms.events.password=s3cret-marker\n");
        ServiceConfiguration.ConnectionFactorySettings events = ServiceConfiguration.fromEnvironment(loader).connectionFactories().get("events");
        assertEquals("org.example.XaFactory", events.xaFactoryClass().value());
        assertEquals("4", events.maxConnections().value());
        assertEquals(null, events.maxSessionsPerConnection());
        assertEquals(java.util.List.of("url", "password"), java.util.List.copyOf(events.properties().keySet()));
        assertFalse(events.properties().toString().contains("s3cret-marker"), "a password is never printed: " + events.properties());
    }

    @Test
    void aJmsConnectionFactoryWithoutItsProviderClassOrWithoutAKeyIsRefusedNamingTheKey() throws Exception {
        IllegalArgumentException noClass = assertThrows(IllegalArgumentException.class,
                () -> ServiceConfiguration.fromEnvironment(withPropertiesFile("jms.events.url=tcp://mq:61616\n")));
        assertTrue(noClass.getMessage().contains("'events'") && noClass.getMessage().contains("pledge.jms.events.xa-factory-class"),
                noClass.getMessage());
        IllegalArgumentException noKey = assertThrows(IllegalArgumentException.class,
                () -> ServiceConfiguration.fromEnvironment(withPropertiesFile("jms.events=x\n")));
        assertTrue(noKey.getMessage().contains("pledge.jms.events") && noKey.getMessage().contains("pledge.jms.NAME.KEY"), noKey.getMessage());
    }

    @Test
    void aBooleanMustBeTrueOrFalse() throws Exception {
        ClassLoader loader = withPropertiesFile("unsafeDisableFsync=yes\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ServiceConfiguration.fromEnvironment(loader).builder());
        assertTrue(e.getMessage().contains("unsafeDisableFsync = 'yes'") && e.getMessage().endsWith("must be true or false"),
                e.getMessage());
    }

    @Test
    void tracingIsOnUnlessSetToFalseAndAnyOtherValueIsRefusedNamingIt() throws Exception {
        assertTrue(ServiceConfiguration.fromEnvironment(withPropertiesFile("nodeName=jee-trace\n")).tracing());
        assertEquals(false, ServiceConfiguration.fromEnvironment(withPropertiesFile("tracing=false\n")).tracing());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ServiceConfiguration.fromEnvironment(withPropertiesFile("tracing=off\n")).builder());
        assertTrue(e.getMessage().contains("tracing = 'off'") && e.getMessage().endsWith("must be true or false"), e.getMessage());
    }

    @Test
    void withMicroProfileConfigItsSourcesAreReadAndNamedInErrors() {
        System.setProperty("pledge.nodeName", "jee-conf-mp"); // SmallRye reads system properties once, on first use
        System.setProperty("pledge.defaultTimeout", "-3s");
        ServiceConfiguration config = ServiceConfiguration.fromEnvironment(getClass().getClassLoader());
        assertEquals("jee-conf-mp", config.nodeName());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, config::builder);
        assertTrue(e.getMessage().contains("defaultTimeout = '-3s' (MicroProfile Config source"), e.getMessage());
    }
}
