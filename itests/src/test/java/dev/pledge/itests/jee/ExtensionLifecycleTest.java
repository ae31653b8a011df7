package dev.pledge.itests.jee;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pledge.jee.ServiceRegistry;
import dev.pledge.jee.cdi.PledgeExtension;
import dev.pledge.tm.TransactionService;
import jakarta.transaction.TransactionManager;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.jboss.weld.environment.se.Weld;
import org.jboss.weld.environment.se.WeldContainer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Start and shutdown of the extension's service, on Weld SE: Arquillian deploys once per test
 * class, and these tests need to start and stop containers themselves.
 */
class ExtensionLifecycleTest {
    static final String NODE = "jee-lifecycle";
    /** The keys of the one data source declared in configuration by {@link #theOnlyDeclaredDataSourceIsInjectableByNameAndAsTheDefaultAndClosedAtShutdown}. */
    static final String SOLO = "pledge.datasource.solo.";

    @TempDir
    Path dir;

    @AfterEach
    void clearSystemProperties() {
        System.clearProperty("pledge.nodeName");
        System.clearProperty("pledge.logDirectory");
        System.clearProperty("pledge.defaultTimeout");
        System.clearProperty(SOLO + "xa-class");
        System.clearProperty(SOLO + "url");
    }

    private WeldContainer container() {
        return new Weld().disableDiscovery().addExtension(new PledgeExtension()).addBeanClasses(ScopeEvents.class).initialize();
    }

    /** A container of its own id whose service is {@code node}, logging in {@code dir/node}, with the observers of {@link OrderPlaced}. */
    private WeldContainer observing(String node) {
        System.setProperty("pledge.nodeName", node);
        System.setProperty("pledge.logDirectory", dir.resolve(node).toString());
        return new Weld(node).disableDiscovery().addExtension(new PledgeExtension())
                .addBeanClasses(OrderObservers.class, LedgerTable.class).initialize();
    }

    @Test
    void theServicesHealthIsInjectableAsAFreshViewAtEachLookUp() throws Exception {
        System.setProperty("pledge.nodeName", NODE + "-health");
        System.setProperty("pledge.logDirectory", dir.resolve("health-log").toString());
        try (WeldContainer weld = container()) {
            jakarta.enterprise.inject.Instance<dev.pledge.tm.Health> health = weld.select(dev.pledge.tm.Health.class);
            dev.pledge.tm.Health idle = health.get();
            assertEquals(NODE + "-health", idle.node());
            assertTrue(idle.isUp() && idle.inDoubtDecisions() == 0 && idle.heuristicOutcomes() == 0 && idle.inFlight() == 0, idle.summary());
            TransactionManager tm = weld.select(TransactionManager.class).get();
            tm.begin();
            try {
                dev.pledge.tm.Health busy = health.get();
                assertEquals(1, busy.inFlight(), "a new view, taken now: " + busy.summary());
                assertNotSame(idle, busy);
            } finally {
                tm.rollback();
            }
        }
    }

    @Test
    void theServiceIsConfiguredFromSystemPropertiesAndClosedAtContainerShutdown() {
        Path log = dir.resolve("log");
        System.setProperty("pledge.nodeName", NODE);
        System.setProperty("pledge.logDirectory", log.toString());
        try (WeldContainer weld = container()) {
            TransactionService svc = weld.select(TransactionService.class).get();
            assertEquals(NODE, svc.nodeName(), "system properties override pledge.properties");
            assertTrue(ServiceRegistry.find(NODE).isPresent());
        }
        assertTrue(ServiceRegistry.find(NODE).isEmpty(), "unregistered at shutdown");
        // the journal is locked by one open service only: opening it again proves it was closed
        TransactionService.builder().nodeName(NODE).logDirectory(log).recoveryInterval(Duration.ZERO).build().close();
    }

    @Test
    void eachWeldContainerDefersObserversToTheTransactionsOfItsOwnService() throws Exception {
        try (WeldContainer a = observing(NODE + "-a"); WeldContainer b = observing(NODE + "-b")) {
            TransactionManager tmA = a.select(TransactionManager.class).get();
            assertNotSame(tmA, b.select(TransactionManager.class).get());
            OrderObservers seenByA = a.select(OrderObservers.class).get();
            OrderObservers seenByB = b.select(OrderObservers.class).get();
            tmA.begin();
            a.event().select(OrderPlaced.class).fire(new OrderPlaced("lifecycle-a", null));
            b.event().select(OrderPlaced.class).fire(new OrderPlaced("lifecycle-b", null));
            List<String> aAtFire = seenByA.takeAll();
            tmA.commit();

            assertEquals(List.of("IN_PROGRESS status 0 committed false"), aAtFire, "deferred in a transaction of a's service");
            assertEquals(5, seenByB.takeAll().size(), "b's service has no transaction on this thread: all observers at once");
            assertTrue(seenByA.takeAll().contains("AFTER_SUCCESS status 3 committed false"));
        }
    }

    @Test
    void aMalformedSettingFailsTheDeploymentWithTheKeyTheValueAndItsSource() {
        System.setProperty("pledge.nodeName", NODE);
        System.setProperty("pledge.logDirectory", dir.resolve("log").toString());
        System.setProperty("pledge.defaultTimeout", "soon");
        RuntimeException e = assertThrows(RuntimeException.class, this::container);
        String all = String.valueOf(e.getMessage()) + " / " + e.getCause();
        assertTrue(all.contains("Pledge could not start its transaction service: Pledge setting defaultTimeout = 'soon'"
                + " (system property, pledge.defaultTimeout) is not a duration"), all);
        assertTrue(ServiceRegistry.find(NODE).isEmpty());
    }

    @Test
    void theOnlyDeclaredDataSourceIsInjectableByNameAndAsTheDefaultAndClosedAtShutdown() throws Exception {
        System.setProperty("pledge.nodeName", NODE + "-solo");
        System.setProperty("pledge.logDirectory", dir.resolve("solo-log").toString());
        System.setProperty(SOLO + "xa-class", "org.h2.jdbcx.JdbcDataSource");
        String url = "jdbc:h2:mem:jee_solo;DB_CLOSE_DELAY=-1";
        System.setProperty(SOLO + "url", url);
        try (java.sql.Connection plain = java.sql.DriverManager.getConnection(url); java.sql.Statement s = plain.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS solo (label VARCHAR(20) PRIMARY KEY)");
            s.execute("DELETE FROM solo");
        }
        javax.sql.DataSource solo;
        try (WeldContainer weld = container()) {
            solo = weld.select(javax.sql.DataSource.class).get();
            assertSame(solo, weld.select(javax.sql.DataSource.class, jakarta.enterprise.inject.literal.NamedLiteral.of("solo")).get(),
                    "@Default and @Named(\"solo\") are one bean");
            assertEquals("solo", ((dev.pledge.xa.jdbc.TransactionalDataSource) solo).name(), "its resource name is its configured name");
            TransactionManager tm = weld.select(TransactionManager.class).get();
            for (String label : List.of("undone", "kept")) {
                tm.begin();
                try (java.sql.Connection c = solo.getConnection(); java.sql.Statement s = c.createStatement()) {
                    s.executeUpdate("INSERT INTO solo VALUES ('" + label + "')");
                }
                if (label.equals("undone")) {
                    tm.rollback();
                } else {
                    tm.commit();
                }
            }
        }
        try (java.sql.Connection plain = java.sql.DriverManager.getConnection(url); java.sql.Statement s = plain.createStatement();
                java.sql.ResultSet rows = s.executeQuery("SELECT label FROM solo")) {
            assertTrue(rows.next());
            assertEquals("kept", rows.getString(1), "the data source followed the transactions");
            assertFalse(rows.next());
        }
        javax.sql.DataSource closed = solo;
        assertThrows(java.sql.SQLException.class, closed::getConnection, "the pool was closed with the container");
    }
}
