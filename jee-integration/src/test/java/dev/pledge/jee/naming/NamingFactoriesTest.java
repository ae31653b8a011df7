package dev.pledge.jee.naming;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pledge.jee.PledgeUserTransaction;
import dev.pledge.jee.ServiceRegistry;
import dev.pledge.xa.jdbc.TransactionalDataSource;
import jakarta.transaction.Status;
import jakarta.transaction.UserTransaction;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import javax.naming.Reference;
import javax.naming.StringRefAddr;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NamingFactoriesTest {
    static final String NODE = "jee-naming";

    @TempDir
    Path dir;

    @org.junit.jupiter.api.BeforeEach
    void allowLogsInTheTestDirectory() {
        System.setProperty(LogRoots.PROPERTY, dir.toString());
    }

    @AfterEach
    void closeService() {
        ServiceRegistry.close(NODE);
        System.clearProperty(LogRoots.PROPERTY);
        System.clearProperty(XaDataSourceClasses.PROPERTY);
    }

    private Reference userTransactionReference() {
        Reference ref = new Reference(UserTransaction.class.getName(), UserTransactionFactory.class.getName(), null);
        ref.add(new StringRefAddr("factory", UserTransactionFactory.class.getName())); // as Tomcat adds it
        ref.add(new StringRefAddr("nodeName", NODE));
        ref.add(new StringRefAddr("logDirectory", dir.resolve("log").toString()));
        ref.add(new StringRefAddr("recoveryInterval", "0"));
        return ref;
    }

    private Reference dataSourceReference(String... extra) {
        Reference ref = new Reference(javax.sql.DataSource.class.getName(), DataSourceFactory.class.getName(), null);
        ref.add(new StringRefAddr("nodeName", NODE));
        ref.add(new StringRefAddr("dataSourceName", "jee-naming-h2"));
        ref.add(new StringRefAddr("xaDataSourceClass", "org.h2.jdbcx.JdbcDataSource"));
        ref.add(new StringRefAddr("xa.URL", "jdbc:h2:file:" + dir.resolve("h2") + ";DB_CLOSE_DELAY=-1"));
        ref.add(new StringRefAddr("maxPoolSize", "3"));
        for (int i = 0; i < extra.length; i += 2) {
            ref.add(new StringRefAddr(extra[i], extra[i + 1]));
        }
        return ref;
    }

    @Test
    void theUserTransactionFactoryStartsTheServiceOnceAndSharesItByNodeName() throws Exception {
        UserTransaction first = (UserTransaction) new UserTransactionFactory().getObjectInstance(userTransactionReference(), null, null, null);
        UserTransaction second = (UserTransaction) new UserTransactionFactory().getObjectInstance(userTransactionReference(), null, null, null);
        first.begin();
        assertEquals(Status.STATUS_ACTIVE, second.getStatus(), "both are views of one service");
        second.rollback();
        assertEquals(NODE, ServiceRegistry.require(NODE).nodeName());
    }

    @Test
    void aSerializedUserTransactionReachesTheSameService() throws Exception {
        PledgeUserTransaction ut = (PledgeUserTransaction) new UserTransactionFactory().getObjectInstance(userTransactionReference(), null, null, null);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(ut);
        }
        UserTransaction copy;
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            copy = (UserTransaction) in.readObject();
        }
        copy.begin();
        assertEquals(Status.STATUS_ACTIVE, ServiceRegistry.require(NODE).transactionManager().getStatus());
        copy.rollback();
    }

    @Test
    void theReferenceOfAUserTransactionTurnsBackIntoOneOfTheSameService() throws Exception {
        PledgeUserTransaction ut = (PledgeUserTransaction) new UserTransactionFactory().getObjectInstance(userTransactionReference(), null, null, null);
        Reference ref = ut.getReference();
        assertEquals(UserTransactionFactory.class.getName(), ref.getFactoryClassName());
        UserTransaction again = (UserTransaction) new UserTransactionFactory().getObjectInstance(ref, null, null, null);
        again.begin();
        assertEquals(Status.STATUS_ACTIVE, ut.getStatus());
        ut.rollback();
    }

    @Test
    void aUserTransactionReferenceWithADatabaseLogUrlStartsTheServiceOnTheDatabaseLog() throws Exception {
        String url = "jdbc:h2:file:" + dir.resolve("logdb").toAbsolutePath();
        Reference ref = new Reference(UserTransaction.class.getName(), UserTransactionFactory.class.getName(), null);
        ref.add(new StringRefAddr("nodeName", NODE));
        ref.add(new StringRefAddr("databaseLog.url", url));
        ref.add(new StringRefAddr("databaseLog.user", "sa"));
        ref.add(new StringRefAddr("databaseLogTablePrefix", "jndi_"));
        ref.add(new StringRefAddr("recoveryInterval", "0"));
        UserTransaction ut = (UserTransaction) new UserTransactionFactory().getObjectInstance(ref, null, null, null);
        ut.begin();
        ut.commit();
        try (java.sql.Connection c = java.sql.DriverManager.getConnection(url, "sa", "");
             java.sql.ResultSet rs = c.createStatement().executeQuery("SELECT COUNT(*) FROM jndi_node WHERE name = '" + NODE + "'")) {
            assertTrue(rs.next());
            assertEquals(1, rs.getInt(1), "the service holds its node row in the database log named by the reference");
        }
        ServiceRegistry.close(NODE);

        Reference evil = new Reference(UserTransaction.class.getName(), UserTransactionFactory.class.getName(), null);
        evil.add(new StringRefAddr("nodeName", NODE));
        evil.add(new StringRefAddr("databaseLog.url", "jdbc:h2:mem:x;INIT=RUNSCRIPT FROM '" + dir.resolve("evil.sql") + "'"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new UserTransactionFactory().getObjectInstance(evil, null, null, null));
        assertTrue(e.getMessage().startsWith("Refused databaseLog.url") && e.getMessage().contains("may not set it"), e.getMessage());
        assertTrue(ServiceRegistry.find(NODE).isEmpty(), "no service was started");
    }

    @Test
    void aReferenceThatOnlyNamesAServiceThatIsNotRunningIsRefused() {
        Reference ref = dataSourceReference();
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> new DataSourceFactory().getObjectInstance(ref, null, null, null));
        assertTrue(e.getMessage().startsWith("No Pledge transaction service 'jee-naming' is running"), e.getMessage());
    }

    @Test
    void theDataSourceFactoryBuildsAnEnlistingDataSourceFromXaProperties() throws Exception {
        UserTransaction ut = (UserTransaction) new UserTransactionFactory().getObjectInstance(userTransactionReference(), null, null, null);
        try (TransactionalDataSource ds = (TransactionalDataSource) new DataSourceFactory().getObjectInstance(dataSourceReference(), null, null, null)) {
            assertEquals("jee-naming-h2", ds.name());
            try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
                s.execute("CREATE TABLE IF NOT EXISTS t (v INT)");
            }
            ut.begin();
            try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
                s.execute("INSERT INTO t VALUES (1)");
            }
            ut.rollback();
            try (Connection c = ds.getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM t")) {
                rs.next();
                assertEquals(0, rs.getInt(1), "the insert was rolled back with the user transaction");
            }
        }
    }

    @Test
    void aJmsConnectionFactoryReferenceWithAPoolSizeBelowOneIsRefusedNamingTheAttributeAndTheReference() throws Exception {
        Reference ref = new Reference(jakarta.jms.ConnectionFactory.class.getName(), ConnectionFactoryFactory.class.getName(), null);
        ref.add(new StringRefAddr("nodeName", NODE));
        ref.add(new StringRefAddr("logDirectory", dir.resolve("log").toString()));
        ref.add(new StringRefAddr("recoveryInterval", "0"));
        ref.add(new StringRefAddr("connectionFactoryName", "jee-naming-mq"));
        // any XA connection factory will do: nothing connects before the pool size is checked
        ref.add(new StringRefAddr("xaConnectionFactoryClass", org.messaginghub.pooled.jms.JmsPoolXAConnectionFactory.class.getName()));
        ref.add(new StringRefAddr("maxSessionsPerConnection", "0"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new ConnectionFactoryFactory().getObjectInstance(ref, new javax.naming.CompositeName("jms/orders"), null, null));
        assertEquals("Pledge attribute maxSessionsPerConnection = '0' (JNDI reference jms/orders) is refused: maxSessionsPerConnection must be"
                + " at least 1, not 0", e.getMessage());
    }

    @Test
    void aPoolSizeBelowItsMinimumIsRefusedNamingTheAttributeAndTheReference() throws Exception {
        new UserTransactionFactory().getObjectInstance(userTransactionReference(), null, null, null);
        Reference ref = dataSourceReference();
        for (int i = 0; i < ref.size(); i++) {
            if (ref.get(i).getType().equals("maxPoolSize")) {
                ref.remove(i);
            }
        }
        ref.add(new StringRefAddr("maxPoolSize", "0"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new DataSourceFactory().getObjectInstance(ref, new javax.naming.CompositeName("jdbc/orders"), null, null));
        assertEquals("Pledge attribute maxPoolSize = '0' (JNDI reference jdbc/orders) is refused: maxPoolSize must be at least 1, not 0",
                e.getMessage());
    }

    @Test
    void anUnknownAttributeIsRefusedWithTheKnownOnes() throws Exception {
        new UserTransactionFactory().getObjectInstance(userTransactionReference(), null, null, null);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new DataSourceFactory().getObjectInstance(dataSourceReference("maxPoolsize", "4"), null, null, null));
        assertTrue(e.getMessage().startsWith("Unknown attribute maxPoolsize (JNDI reference"), e.getMessage());
        assertTrue(e.getMessage().contains("maxPoolSize"), e.getMessage());
    }

    @Test
    void anXaPropertyWithoutASetterIsRefused() throws Exception {
        new UserTransactionFactory().getObjectInstance(userTransactionReference(), null, null, null);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new DataSourceFactory().getObjectInstance(dataSourceReference("xa.colour", "blue"), null, null, null));
        assertEquals("org.h2.jdbcx.JdbcDataSource has no setter for xa.colour = 'blue' (JNDI reference javax.sql.DataSource)"
                + " taking a string, number or boolean", e.getMessage());
    }

    @Test
    void aClassOffTheAllowListIsRefusedBeforeItsStaticInitializerRuns() throws Exception {
        new UserTransactionFactory().getObjectInstance(userTransactionReference(), null, null, null);
        Reference ref = dataSourceReference();
        ref.remove(2);
        ref.add(new StringRefAddr("xaDataSourceClass", Gadget.class.getName()));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new DataSourceFactory().getObjectInstance(ref, null, null, null));
        assertTrue(e.getMessage().contains("is not an allowed XA data source class") && e.getMessage().contains(XaDataSourceClasses.PROPERTY),
                e.getMessage());
        assertEquals(null, System.getProperty(Gadget.RAN), "the named class was never initialized");

        System.setProperty(XaDataSourceClasses.PROPERTY, Gadget.class.getName());
        IllegalArgumentException notXa = assertThrows(IllegalArgumentException.class,
                () -> new DataSourceFactory().getObjectInstance(ref, null, null, null));
        assertTrue(notXa.getMessage().endsWith("is not a javax.sql.XADataSource"), notXa.getMessage());
        assertEquals(null, System.getProperty(Gadget.RAN), "allowed but not an XADataSource: still never initialized");
    }

    @Test
    void driverPropertiesThatRunCodeAreRefusedAsAttributesAndInsideUrls() throws Exception {
        new UserTransactionFactory().getObjectInstance(userTransactionReference(), null, null, null);
        Path marker = dir.resolve("ran");
        String script = "jdbc:h2:mem:x;INIT=RUNSCRIPT FROM '" + dir.resolve("evil.sql") + "'";
        for (String[] attribute : new String[][] {{"xa.URL", script}, {"xa.url", "jdbc:h2:mem:x; init = CREATE TABLE x"},
                {"xa.socketFactory", "com.example.Evil"}, {"xa.autoDeserialize", "true"}, {"xa.allowLoadLocalInfile", "true"},
                {"xa.queryInterceptors", "com.example.Evil"}, {"xa.URL", "jdbc:postgresql://db/pledge?ssl=true&sslfactory=com.example.Evil"},
                {"xa.URL", "jdbc:mariadb://db/pledge?user=a&allowLoadLocalInfile=true"}}) {
            Reference ref = dataSourceReference();
            if (attribute[0].equalsIgnoreCase("xa.URL")) {
                ref.remove(3);
            }
            ref.add(new StringRefAddr(attribute[0], attribute[1]));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new DataSourceFactory().getObjectInstance(ref, null, null, null), attribute[0]);
            assertTrue(e.getMessage().startsWith("Refused " + attribute[0]) && e.getMessage().contains("may not set it"), e.getMessage());
        }
        assertTrue(java.nio.file.Files.notExists(marker));
    }

    @Test
    void aReferenceMayStartAServiceOnlyUnderAnAllowedLogRoot() throws Exception {
        System.setProperty(LogRoots.PROPERTY, dir.resolve("elsewhere").toString());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new UserTransactionFactory().getObjectInstance(userTransactionReference(), null, null, null));
        assertTrue(e.getMessage().startsWith("Refused logDirectory = '" + dir.resolve("log") + "'") && e.getMessage().contains(LogRoots.PROPERTY),
                e.getMessage());
        assertTrue(ServiceRegistry.find(NODE).isEmpty(), "no service was started");
        System.setProperty(LogRoots.PROPERTY, dir.resolve("elsewhere") + java.io.File.pathSeparator + dir);
        new UserTransactionFactory().getObjectInstance(userTransactionReference(), null, null, null);
        assertTrue(ServiceRegistry.find(NODE).isPresent());
    }

    @Test
    void withoutTheLogRootsPropertyALogDirectoryMustBeUnderTheServersBaseOrTheWorkingDirectory() throws Exception {
        System.clearProperty(LogRoots.PROPERTY);
        assertFalse(dir.startsWith(Path.of(System.getProperty("user.dir"))), "the test directory is outside the working directory");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new UserTransactionFactory().getObjectInstance(userTransactionReference(), null, null, null));
        assertTrue(e.getMessage().startsWith("Refused logDirectory = '" + dir.resolve("log") + "'"), e.getMessage());
        Reference escaping = userTransactionReference();
        escaping.remove(2);
        Path workingDirectory = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        escaping.add(new StringRefAddr("logDirectory", workingDirectory + "/..".repeat(workingDirectory.getNameCount()) + dir.resolve("log")));
        assertThrows(IllegalArgumentException.class, () -> new UserTransactionFactory().getObjectInstance(escaping, null, null, null),
                "'..' does not lead out of the working directory");
        assertTrue(ServiceRegistry.find(NODE).isEmpty(), "no service was started");
        String before = System.setProperty("catalina.base", dir.toString());
        try {
            new UserTransactionFactory().getObjectInstance(userTransactionReference(), null, null, null);
            assertTrue(ServiceRegistry.find(NODE).isPresent(), "a log directory under Tomcat's base is allowed");
        } finally {
            if (before == null) {
                System.clearProperty("catalina.base");
            } else {
                System.setProperty("catalina.base", before);
            }
        }
    }

    @Test
    void messagesNameASecretAttributeWithoutItsValue() throws Exception {
        new UserTransactionFactory().getObjectInstance(userTransactionReference(), null, null, null);
        String marker = "Marker-s3cret";
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new DataSourceFactory().getObjectInstance(dataSourceReference("xa.passwd", marker), null, null, null));
        assertTrue(e.getMessage().contains("has no setter for xa.passwd = '****'"), e.getMessage());
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                () -> new DataSourceFactory().getObjectInstance(dataSourceReference("pasword", marker), null, null, null));
        assertTrue(unknown.getMessage().startsWith("Unknown attribute pasword (JNDI reference javax.sql.DataSource, value not shown)"), unknown.getMessage());
        assertFalse(unknown.getMessage().contains(marker), "an unknown key may be a misspelt password");
    }

    /** Stands for a class whose static initializer would do harm; it leaves a system property behind (reading a field would initialize it). */
    public static final class Gadget {
        static final String RAN = "pledge.test.gadget.ran";

        static {
            System.setProperty(RAN, "yes");
        }
    }
}
