package dev.pledge.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pledge.tm.TransactionService;
import dev.pledge.xa.jdbc.TransactionalDataSource;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import dev.pledge.spring.boot.sample.postgres.CreditAccount;
import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;
import javax.sql.DataSource;
import org.springframework.boot.hibernate.SpringJtaPlatform;
import org.springframework.boot.hibernate.autoconfigure.HibernateJpaAutoConfiguration;
import org.springframework.boot.persistence.autoconfigure.EntityScan;
import org.springframework.context.annotation.Configuration;
import org.springframework.orm.jpa.SharedEntityManagerCreator;
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
 * Boot's own {@code spring.datasource.*} (and JPA) properties, through Boot's XA data source
 * auto-configuration and the starter's {@code XADataSourceWrapper}, give a Pledge data source
 * named {@code dataSource} whose work commits and rolls back with Spring's transactions (on PostgreSQL).
 */
class SpringDatasourcePropertiesTest {
    @TempDir
    Path dir;

    @Test
    void bootsOwnJpaAutoConfigurationRunsHibernateOnPledgesTransactions() throws Exception {
        Servers.createDatabases();
        try (Connection p = Servers.postgres()) {
            Servers.resetAccounts(p, "boot_account", 2, 1000);
        }
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(PledgeAutoConfiguration.class, XADataSourceAutoConfiguration.class,
                        DataSourceAutoConfiguration.class, HibernateJpaAutoConfiguration.class, TransactionAutoConfiguration.class))
                .withUserConfiguration(CreditAccountsOnly.class)
                .withPropertyValues("pledge.log.directory=" + dir.resolve("log"), "pledge.node-name=single-jpa", "pledge.recovery-interval=0",
                        "spring.datasource.url=" + Servers.POSTGRES_URL, "spring.datasource.username=postgres",
                        "spring.jpa.hibernate.ddl-auto=none")
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    EntityManagerFactory emf = context.getBean(EntityManagerFactory.class);
                    assertThat(emf.getProperties().get("hibernate.transaction.jta.platform")).isInstanceOf(SpringJtaPlatform.class);
                    TransactionService svc = context.getBean(TransactionService.class);
                    long committedBefore = svc.metrics().getCommitted();
                    TransactionTemplate tx = context.getBean(TransactionTemplate.class);
                    EntityManager em = SharedEntityManagerCreator.createSharedEntityManager(emf);
                    tx.executeWithoutResult(status -> em.find(CreditAccount.class, 1).add(7)); // flushed by Hibernate's JTA synchronization
                    assertThatThrownBy(() -> tx.executeWithoutResult(status -> {
                        em.find(CreditAccount.class, 1).add(100);
                        em.flush();
                        throw new IllegalStateException("roll back");
                    })).isInstanceOf(IllegalStateException.class);
                    assertThat(svc.metrics().getCommitted()).isEqualTo(committedBefore + 1);
                    try (Connection p = Servers.postgres()) {
                        assertThat(Servers.balance(p, "boot_account", 1)).isEqualTo(1007);
                    }
                });
    }

    @Configuration(proxyBeanMethods = false)
    @EntityScan(basePackageClasses = CreditAccount.class)
    static class CreditAccountsOnly {
    }

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
