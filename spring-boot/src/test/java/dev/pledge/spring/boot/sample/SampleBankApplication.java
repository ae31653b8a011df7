package dev.pledge.spring.boot.sample;

import dev.pledge.spring.boot.sample.mariadb.DebitAccount;
import dev.pledge.spring.boot.sample.mariadb.DebitAccounts;
import dev.pledge.spring.boot.sample.postgres.CreditAccount;
import dev.pledge.spring.boot.sample.postgres.CreditAccounts;
import java.util.Map;
import javax.sql.DataSource;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.jpa.EntityManagerFactoryBuilder;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Primary;
import org.springframework.data.jpa.repository.config.EnableJpaRepositories;
import org.springframework.orm.jpa.LocalContainerEntityManagerFactoryBean;

/**
 * The sample application: debit accounts on MariaDB and credit accounts on PostgreSQL (two
 * {@code pledge.datasources.*} data sources, one JPA persistence unit each, built by Boot's
 * {@link EntityManagerFactoryBuilder} so they get Boot's JTA settings), JMS on Artemis through
 * Boot's auto-configuration, and {@link TransferService}/{@link OrderListener}.
 */
@SpringBootApplication
public class SampleBankApplication {

    @Bean
    @Primary
    LocalContainerEntityManagerFactoryBean mariadbEntityManagerFactory(EntityManagerFactoryBuilder builder, @Qualifier("mariadb") DataSource mariadb) {
        return builder.dataSource(mariadb).packages(DebitAccount.class).persistenceUnit("mariadb").jta(true)
                .properties(Map.of("hibernate.dialect", "org.hibernate.dialect.MariaDBDialect")).build();
    }

    @Bean
    LocalContainerEntityManagerFactoryBean postgresEntityManagerFactory(EntityManagerFactoryBuilder builder, @Qualifier("postgres") DataSource postgres) {
        return builder.dataSource(postgres).packages(CreditAccount.class).persistenceUnit("postgres").jta(true)
                .properties(Map.of("hibernate.dialect", "org.hibernate.dialect.PostgreSQLDialect")).build();
    }

    @Configuration(proxyBeanMethods = false)
    @EnableJpaRepositories(basePackageClasses = DebitAccounts.class, entityManagerFactoryRef = "mariadbEntityManagerFactory",
            transactionManagerRef = "transactionManager")
    static class MariaDbRepositories {
    }

    @Configuration(proxyBeanMethods = false)
    @EnableJpaRepositories(basePackageClasses = CreditAccounts.class, entityManagerFactoryRef = "postgresEntityManagerFactory",
            transactionManagerRef = "transactionManager")
    static class PostgresRepositories {
    }
}
