package dev.pledge.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.pledge.xa.jdbc.TransactionalDataSource;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLTransientConnectionException;
import java.sql.Statement;
import java.time.Duration;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * An application's own XA data sources get their names through {@link PledgeXADataSourceWrapper#wrapDataSource(String,
 * javax.sql.XADataSource)}; a {@code pledge.datasources.<name>.*} group's driver and pool settings reach the driver and the
 * pool (on PostgreSQL): {@code xa-data-source-class-name}, {@code xa-properties.*},
 * {@code min-pool-size}, {@code max-pool-size} and {@code acquisition-timeout}.
 */
class NamedDataSourcePropertiesTest {
    @TempDir
    Path dir;

    @Test
    void aGroupsXaPropertiesReachTheDriverAndItsPoolSettingsBoundThePool() throws Exception {
        Servers.createDatabases();
        String application = "pledge-" + UUID.randomUUID().toString().substring(0, 8);
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(PledgeAutoConfiguration.class))
                .withPropertyValues("pledge.log.directory=" + dir.resolve("log"), "pledge.node-name=named-ds", "pledge.recovery-interval=0",
                        "pledge.datasources.ledger.url=" + Servers.POSTGRES_URL,
                        "pledge.datasources.ledger.username=postgres",
                        "pledge.datasources.ledger.xa-data-source-class-name=org.postgresql.xa.PGXADataSource",
                        "pledge.datasources.ledger.xa-properties.application-name=" + application,
                        "pledge.datasources.ledger.min-pool-size=2",
                        "pledge.datasources.ledger.max-pool-size=2",
                        "pledge.datasources.ledger.acquisition-timeout=300ms")
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    DataSource ledger = context.getBean("ledger", DataSource.class);
                    assertThat(ledger).isInstanceOfSatisfying(TransactionalDataSource.class, d -> assertThat(d.name()).isEqualTo("ledger"));
                    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(connectionsOf(application))
                            .as("min-pool-size connections, opened with the xa-properties' application name").isEqualTo(2));
                    try (Connection first = ledger.getConnection(); Connection second = ledger.getConnection()) {
                        long start = System.nanoTime();
                        assertThatThrownBy(ledger::getConnection).isInstanceOf(SQLTransientConnectionException.class)
                                .hasMessageContaining("maxPoolSize 2");
                        assertThat(Duration.ofNanos(System.nanoTime() - start)).as("waited acquisition-timeout, not the 30 s default")
                                .isLessThan(Duration.ofSeconds(5));
                    }
                });
    }

    @Test
    void wrapDataSourceNamesEachXaDataSourceTheApplicationBuildsAndRefusesANameTwice() {
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(PledgeAutoConfiguration.class))
                .withPropertyValues("pledge.log.directory=" + dir.resolve("log"), "pledge.node-name=wrapped-ds", "pledge.recovery-interval=0")
                .run(context -> {
                    PledgeXADataSourceWrapper wrapper = context.getBean(PledgeXADataSourceWrapper.class);
                    try (TransactionalDataSource orders = wrapper.wrapDataSource("orders", new org.postgresql.xa.PGXADataSource());
                         TransactionalDataSource stock = wrapper.wrapDataSource("stock", new org.postgresql.xa.PGXADataSource())) {
                        assertThat(orders.name()).isEqualTo("orders");
                        assertThat(stock.name()).isEqualTo("stock");
                        assertThatThrownBy(() -> wrapper.wrapDataSource("orders", new org.postgresql.xa.PGXADataSource()))
                                .isInstanceOf(IllegalStateException.class).hasMessageContaining("'orders' exists already");
                    }
                });
    }

    private static int connectionsOf(String application) throws Exception {
        try (Connection c = Servers.postgres(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_stat_activity WHERE application_name = '" + application + "'")) {
            rs.next();
            return rs.getInt(1);
        }
    }
}
