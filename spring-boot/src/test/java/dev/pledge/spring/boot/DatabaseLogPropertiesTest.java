package dev.pledge.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pledge.tm.TransactionService;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * {@code pledge.log.database.url/username/password/table-prefix}: the service's log is in that
 * database (PostgreSQL, database {@code pledge_boot}), and no log directory is made.
 */
class DatabaseLogPropertiesTest {
    private static final String URL = Servers.POSTGRES_URL;

    @BeforeAll
    static void databases() {
        Servers.createDatabases();
    }

    @TempDir
    Path dir;

    @Test
    void aDatabaseUrlPutsTheLogInThatDatabaseAndMakesNoLogDirectory() throws Exception {
        drop("boot_");
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(PledgeAutoConfiguration.class))
                .withPropertyValues("pledge.log.directory=" + dir.resolve("log"), "pledge.node-name=boot-db", "pledge.recovery-interval=0",
                        "pledge.log.database.url=" + URL, "pledge.log.database.username=postgres", "pledge.log.database.password=",
                        "pledge.log.database.table-prefix=boot_")
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    TransactionService svc = context.getBean(TransactionService.class);
                    new TransactionTemplate(context.getBean(PlatformTransactionManager.class)).executeWithoutResult(status -> {
                    });
                    assertThat(svc.nodeName()).isEqualTo("boot-db");
                    try (Connection c = DriverManager.getConnection(URL, "postgres", ""); Statement s = c.createStatement();
                         ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM boot_node WHERE name = 'boot-db'")) {
                        assertThat(rs.next()).isTrue();
                        assertThat(rs.getInt(1)).as("the service's node row in the database log").isEqualTo(1);
                    }
                });
        assertThat(Files.exists(dir.resolve("log"))).as("no log directory for a database log").isFalse();
        drop("boot_");
    }

    @Test
    void theLeaseDurationPropertySetsTheNodesLeaseAndShutdownDrainsTheNodeRowAway() throws Exception {
        drop("boot_lease_");
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(PledgeAutoConfiguration.class))
                .withPropertyValues("pledge.node-name=boot-lease", "pledge.recovery-interval=0", "pledge.log.database.url=" + URL,
                        "pledge.log.database.username=postgres", "pledge.log.database.password=", "pledge.log.database.table-prefix=boot_lease_",
                        "pledge.log.database.lease-duration=90s")
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    new TransactionTemplate(context.getBean(PlatformTransactionManager.class)).executeWithoutResult(status -> {
                    });
                    try (Connection c = DriverManager.getConnection(URL, "postgres", ""); Statement s = c.createStatement();
                         ResultSet rs = s.executeQuery("SELECT EXTRACT(EPOCH FROM (lease_expires - now())) FROM boot_lease_node WHERE name = 'boot-lease'")) {
                        assertThat(rs.next()).isTrue();
                        assertThat(rs.getDouble(1)).as("seconds left on the lease, by the database's clock").isBetween(60.0, 90.5);
                    }
                });
        try (Connection c = DriverManager.getConnection(URL, "postgres", ""); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM boot_lease_node")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getInt(1)).as("a node drained at shutdown with nothing in doubt leaves no row for a peer to take over").isZero();
        }
        drop("boot_lease_");
    }

    @Test
    void aLeaseShorterThanTheMinimumFailsStartUpNamingTheProperty() {
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(PledgeAutoConfiguration.class))
                .withPropertyValues("pledge.node-name=boot-lease-bad", "pledge.recovery-interval=0", "pledge.log.database.url=" + URL,
                        "pledge.log.database.lease-duration=100ms")
                .run(context -> {
                    assertThat(context).hasFailed();
                    Throwable root = context.getStartupFailure();
                    while (root.getCause() != null && !(root instanceof InvalidPledgePropertyException)) {
                        root = root.getCause();
                    }
                    assertThat(root).isInstanceOf(InvalidPledgePropertyException.class);
                    assertThat(root.getMessage()).contains("pledge.log.database.lease-duration").contains("300ms");
                });
    }

    @Test
    void aUrlThatIsNotJdbcFailsStartUpNamingTheProperty() {
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(PledgeAutoConfiguration.class))
                .withPropertyValues("pledge.node-name=boot-db-bad", "pledge.recovery-interval=0",
                        "pledge.log.database.url=postgres://u:secret-pw@db/x")
                .run(context -> {
                    assertThat(context).hasFailed();
                    Throwable root = context.getStartupFailure();
                    while (root.getCause() != null && !(root instanceof InvalidPledgePropertyException)) {
                        root = root.getCause();
                    }
                    assertThat(root).isInstanceOf(InvalidPledgePropertyException.class);
                    assertThat(root.getMessage()).contains("pledge.log.database.url").doesNotContain("secret-pw");
                });
    }

    private static void drop(String prefix) throws Exception {
        try (Connection c = DriverManager.getConnection(URL, "postgres", ""); Statement s = c.createStatement()) {
            for (String t : new String[] {"decision", "heuristic", "node", "schema_version"}) {
                s.execute("DROP TABLE IF EXISTS " + prefix + t);
            }
        }
    }
}
