package dev.pledge.itests.bank;

import dev.pledge.itests.Servers;
import dev.pledge.tm.TransactionService;
import dev.pledge.xa.jdbc.TransactionalDataSource;
import dev.pledge.xa.jms.TransactionalConnectionFactory;
import dev.pledge.xa.lock.LockService;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.apache.activemq.artemis.jms.client.ActiveMQXAConnectionFactory;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.hibernate.SessionFactory;
import org.hibernate.cfg.AvailableSettings;
import org.hibernate.cfg.Configuration;

/**
 * The bank's resources, as an application sets them up: two Hibernate persistence units on
 * {@link TransactionalDataSource}s (the test's own MariaDB, and PostgreSQL), a transactional JMS
 * connection factory on Artemis, and a ZooKeeper lock service registered for recovery.
 */
@ApplicationScoped
public class BankResources {
    @Inject
    TransactionService service;
    private TransactionalDataSource mariaDb;
    private TransactionalDataSource postgres;
    private SessionFactory mariaDbUnit;
    private SessionFactory postgresUnit;
    private TransactionalConnectionFactory jms;
    private CuratorFramework zooKeeper;
    private LockService locks;

    @PostConstruct
    void open() {
        BankConfig config = BankConfig.fromSystemProperties();
        mariaDb = TransactionalDataSource.builder(service).name(BankConfig.MARIADB)
                .xaDataSource(PrivateMariaDb.xaDataSource(config.mariaDbPort(), BankConfig.DATABASE)).maxPoolSize(4).build();
        postgres = TransactionalDataSource.builder(service).name(BankConfig.POSTGRES).xaDataSource(Servers.postgres(BankConfig.DATABASE))
                .maxPoolSize(4).build();
        mariaDbUnit = persistenceUnit(mariaDb, "org.hibernate.dialect.MariaDBDialect");
        postgresUnit = persistenceUnit(postgres, "org.hibernate.dialect.PostgreSQLDialect");
        jms = TransactionalConnectionFactory.builder(service).name(BankConfig.BROKER)
                .xaConnectionFactory(new ActiveMQXAConnectionFactory(config.brokerUrl())).maxConnections(2).build();
        zooKeeper = CuratorFrameworkFactory.builder().connectString(config.zooKeeper()).sessionTimeoutMs(3_000)
                .connectionTimeoutMs(5_000).retryPolicy(new ExponentialBackoffRetry(50, 5)).build();
        zooKeeper.start();
        try {
            if (!zooKeeper.blockUntilConnected(20, TimeUnit.SECONDS)) {
                throw new IllegalStateException("ZooKeeper at " + config.zooKeeper() + " did not answer within 20 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        locks = LockService.builder(service.transactionManager()).name(BankConfig.LOCKS).zooKeeper(zooKeeper, BankConfig.LOCK_PATH)
                .defaultTimeout(Duration.ofSeconds(10)).build();
        service.recovery().register(locks.name(), locks::recoveryResource);
    }

    @PreDestroy
    void close() {
        mariaDbUnit.close();
        postgresUnit.close();
        mariaDb.close();
        postgres.close();
        jms.close();
        locks.close();
        zooKeeper.close();
    }

    private static SessionFactory persistenceUnit(DataSource ds, String dialect) {
        Configuration cfg = new Configuration().addAnnotatedClass(Account.class).addAnnotatedClass(Transfer.class);
        cfg.getProperties().put(AvailableSettings.DATASOURCE, ds);
        cfg.setProperty(AvailableSettings.DIALECT, dialect);
        cfg.setProperty(AvailableSettings.TRANSACTION_COORDINATOR_STRATEGY, "jta");
        cfg.setProperty(AvailableSettings.CURRENT_SESSION_CONTEXT_CLASS, "jta");
        return cfg.buildSessionFactory();
    }

    SessionFactory unitOf(long account) {
        return BankConfig.inMariaDb(account) ? mariaDbUnit : postgresUnit;
    }

    SessionFactory mariaDbUnit() {
        return mariaDbUnit;
    }

    SessionFactory postgresUnit() {
        return postgresUnit;
    }

    TransactionalConnectionFactory jms() {
        return jms;
    }

    LockService locks() {
        return locks;
    }

    TransactionService service() {
        return service;
    }

    /** Expires this process's ZooKeeper session, as a long pause or a network partition would. */
    void expireZooKeeperSession() throws Exception {
        zooKeeper.getZookeeperClient().getZooKeeper().getTestable().injectSessionExpiration();
    }
}
