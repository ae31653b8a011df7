package dev.pledge.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pledge.tm.TransactionService;
import dev.pledge.xa.jdbc.TransactionalDataSource;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.JdbcTemplateAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.XADataSourceAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.transaction.autoconfigure.TransactionAutoConfiguration;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Boot's own {@code spring.datasource.*} properties, through Boot's XA data source
 * auto-configuration and the starter's {@code XADataSourceWrapper}, give a Pledge data source
 * named {@code dataSource} whose work commits and rolls back with Spring's transactions (on PostgreSQL).
 */
class SpringDatasourcePropertiesTest {
    @TempDir
    Path dir;

    @Test
    void springDatasourcePropertiesGiveAPledgeDataSourceNamedDataSourceThatFollowsSpringsTransactions() throws Exception {
        Servers.createDatabases();
        try (Connection p = Servers.postgres(); Statement s = p.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS boot_single (id VARCHAR(64) PRIMARY KEY)");
            s.execute("DELETE FROM boot_single");
        }
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(PledgeAutoConfiguration.class, XADataSourceAutoConfiguration.class,
                        DataSourceAutoConfiguration.class, JdbcTemplateAutoConfiguration.class, TransactionAutoConfiguration.class))
                .withPropertyValues("pledge.log.directory=" + dir.resolve("log"), "pledge.node-name=single", "pledge.recovery-interval=0",
                        "pledge.datasource.max-pool-size=3",
                        "spring.datasource.url=" + Servers.POSTGRES_URL, "spring.datasource.username=postgres")
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    assertThat(context.getBean(DataSource.class)).isInstanceOfSatisfying(TransactionalDataSource.class,
                            d -> assertThat(d.name()).isEqualTo("dataSource"));
                    JdbcTemplate jdbc = context.getBean(JdbcTemplate.class);
                    TransactionTemplate tx = context.getBean(TransactionTemplate.class);
                    long committedBefore = context.getBean(TransactionService.class).metrics().getCommitted();
                    tx.executeWithoutResult(status -> jdbc.update("INSERT INTO boot_single (id) VALUES ('kept')"));
                    assertThatThrownBy(() -> tx.executeWithoutResult(status -> {
                        jdbc.update("INSERT INTO boot_single (id) VALUES ('undone')");
                        throw new IllegalStateException("roll back");
                    })).isInstanceOf(IllegalStateException.class);
                    assertThat(jdbc.queryForList("SELECT id FROM boot_single", String.class)).containsExactly("kept");
                    assertThat(context.getBean(TransactionService.class).metrics().getCommitted()).isEqualTo(committedBefore + 1);
                });
    }
}
