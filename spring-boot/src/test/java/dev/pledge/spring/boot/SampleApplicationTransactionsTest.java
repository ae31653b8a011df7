package dev.pledge.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.pledge.spring.boot.sample.OrderListener;
import dev.pledge.spring.boot.sample.SampleBankApplication;
import dev.pledge.spring.boot.sample.TransferService;
import dev.pledge.tm.TransactionService;
import dev.pledge.xa.jdbc.TransactionalDataSource;
import dev.pledge.xa.jms.TransactionalConnectionFactory;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.jms.ConnectionFactory;
import jakarta.persistence.EntityManagerFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.hibernate.SpringJtaPlatform;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jms.config.JmsListenerEndpointRegistry;
import org.springframework.jms.listener.DefaultMessageListenerContainer;
import org.springframework.transaction.IllegalTransactionStateException;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.jta.JtaTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.util.ReflectionTestUtils;

/**
 * The sample Boot application on real MariaDB, PostgreSQL and an embedded Artemis broker, with
 * nothing of Pledge's in it but the starter and {@code pledge.*} properties.
 */
@SpringBootTest(classes = SampleBankApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "pledge.node-name=boot-sample",
        "pledge.recovery-interval=0",
        "pledge.datasources.mariadb.url=" + Servers.MARIADB_URL,
        "pledge.datasources.mariadb.username=root",
        "pledge.datasources.mariadb.password=",
        "pledge.datasources.mariadb.primary=true",
        "pledge.datasources.mariadb.max-pool-size=8",
        "pledge.datasources.postgres.url=" + Servers.POSTGRES_URL,
        "pledge.datasources.postgres.username=postgres",
        "pledge.datasources.postgres.max-pool-size=8",
        "spring.artemis.mode=native",
        "spring.jpa.hibernate.ddl-auto=none",
        "spring.jpa.open-in-view=false",
        "management.endpoints.web.exposure.include=health",
        "management.endpoint.health.show-details=always"})
class SampleApplicationTransactionsTest {
    static final String ACCOUNTS = "boot_account";
    /**
     * Not stopped by the test: Spring closes the cached application at JVM exit, and the broker it
     * is connected to has to outlive it (the JVM's exit stops it).
     */
    static Broker broker;
    static Path logDirectory;

    @DynamicPropertySource
    static void servers(DynamicPropertyRegistry registry) throws Exception {
        Servers.createDatabases();
        try (Connection m = Servers.mariaDb(); Connection p = Servers.postgres(); Statement s = p.createStatement()) {
            Servers.resetAccounts(m, ACCOUNTS, 4, 1000);
            Servers.resetAccounts(p, ACCOUNTS, 4, 1000);
            s.execute("CREATE TABLE IF NOT EXISTS boot_audit (id VARCHAR(64) PRIMARY KEY)");
        }
        Path dir = Files.createTempDirectory("pledge-boot-sample");
        logDirectory = dir.resolve("log");
        broker = Broker.start(dir.resolve("broker"));
        registry.add("spring.artemis.broker-url", broker::url);
        registry.add("pledge.log.directory", logDirectory::toString);
    }

    @Autowired
    TransferService transfers;
    @Autowired
    OrderListener orders;
    @Autowired
    TransactionService pledge;
    @Autowired
    PlatformTransactionManager transactionManager;
    @Autowired
    @Qualifier("mariadb")
    DataSource mariadb;
    @Autowired
    @Qualifier("postgres")
    DataSource postgres;
    @Autowired
    ConnectionFactory jmsConnectionFactory;
    @Autowired
    MeterRegistry meters;
    @Autowired
    JmsListenerEndpointRegistry listeners;
    @Autowired
    List<EntityManagerFactory> entityManagerFactories;
    @LocalServerPort
    int port;

    @BeforeEach
    void resetBalancesAndQueue() throws Exception {
        try (Connection m = Servers.mariaDb(); Connection p = Servers.postgres(); Statement s = p.createStatement()) {
            Servers.resetAccounts(m, ACCOUNTS, 4, 1000);
            Servers.resetAccounts(p, ACCOUNTS, 4, 1000);
            s.execute("DELETE FROM boot_audit");
        }
        broker.drain(TransferService.QUEUE, 100);
    }

    @Test
    void bootsDataSourcesAndConnectionFactoryArePledgeResourcesNamedAfterTheirBeans() {
        assertThat(mariadb).isInstanceOfSatisfying(TransactionalDataSource.class, d -> assertThat(d.name()).isEqualTo("mariadb"));
        assertThat(postgres).isInstanceOfSatisfying(TransactionalDataSource.class, d -> assertThat(d.name()).isEqualTo("postgres"));
        assertThat(jmsConnectionFactory).isInstanceOfSatisfying(TransactionalConnectionFactory.class,
                f -> assertThat(f.name()).isEqualTo("jmsConnectionFactory"));
        assertThat(transactionManager).isInstanceOfSatisfying(JtaTransactionManager.class,
                tm -> assertThat(tm.getTransactionManager()).isSameAs(pledge.transactionManager()));
    }

    @Test
    void jpaRunsOnPledgesTransactionsThroughBootsJtaPlatform() throws Exception {
        assertThat(entityManagerFactories).hasSize(2).allSatisfy(emf -> assertThat(emf.getProperties())
                .hasEntrySatisfying("hibernate.transaction.jta.platform", p -> assertThat(p).isInstanceOf(SpringJtaPlatform.class)));
        long begunBefore = pledge.metrics().getBegun();
        long committedBefore = pledge.metrics().getCommitted();
        new TransactionTemplate(transactionManager).executeWithoutResult(status -> {
            try {
                assertThat(pledge.transactionManager().getTransaction()).as("Pledge's transaction on the thread").isNotNull();
            } catch (jakarta.transaction.SystemException e) {
                throw new IllegalStateException(e);
            }
            transfers.transferInCallersTransaction("jpa-1", 1, 1, 5);
        });
        assertThat(pledge.metrics().getBegun()).isEqualTo(begunBefore + 1);
        assertThat(pledge.metrics().getCommitted()).isEqualTo(committedBefore + 1);
        assertBalances(995, 1005);
        assertThat(broker.drain(TransferService.QUEUE, 1000)).containsExactly("jpa-1");
    }

    @Test
    void transferCommitsMariaDbPostgresAndTheMessageTogether() throws Exception {
        transfers.transfer("t-1", 1, 1, 40);
        assertBalances(960, 1040);
        assertThat(broker.drain(TransferService.QUEUE, 1000)).containsExactly("t-1");
    }

    @Test
    void runtimeExceptionRollsBackAllThree() throws Exception {
        assertThatThrownBy(() -> transfers.transferThenFail("t-2", 1, 1, 40)).isInstanceOf(IllegalStateException.class);
        assertNothingMoved();
    }

    @Test
    void checkedExceptionListedInRollbackForRollsBackAllThree() throws Exception {
        assertThatThrownBy(() -> transfers.transferRefusedRollsBack("t-3", 1, 1, 40)).isInstanceOf(TransferService.TransferRefused.class);
        assertNothingMoved();
    }

    @Test
    void runtimeExceptionListedInNoRollbackForCommitsAllThree() throws Exception {
        assertThatThrownBy(() -> transfers.transferWithWarning("t-4", 1, 1, 40)).isInstanceOf(TransferService.TransferWarning.class);
        assertBalances(960, 1040);
        assertThat(broker.drain(TransferService.QUEUE, 1000)).containsExactly("t-4");
    }

    @Test
    void requiresNewInsideRequiredCommitsOnItsOwnWhenTheOuterTransactionRollsBack() throws Exception {
        assertThatThrownBy(() -> transfers.transferAuditedThenFail("t-5", 1, 1, 40)).isInstanceOf(IllegalStateException.class);
        assertNothingMoved();
        try (Connection p = Servers.postgres(); Statement s = p.createStatement();
             var rs = s.executeQuery("SELECT id FROM boot_audit")) {
            assertThat(rs.next()).as("the audit row of the inner REQUIRES_NEW transaction").isTrue();
            assertThat(rs.getString(1)).isEqualTo("t-5");
        }
    }

    @Test
    void mandatoryWithoutATransactionIsRefusedAndWritesNothing() throws Exception {
        assertThatThrownBy(() -> transfers.transferInCallersTransaction("t-6", 1, 1, 40))
                .isInstanceOf(IllegalTransactionStateException.class).hasMessageContaining("mandatory");
        assertNothingMoved();
    }

    @Test
    void failingListenerWritesNothingAndItsMessageIsRedelivered() throws Exception {
        assertThat(listeners.getListenerContainers()).allSatisfy(c -> assertThat(c).isInstanceOfSatisfying(
                DefaultMessageListenerContainer.class, d -> assertThat(ReflectionTestUtils.getField(d, "transactionManager")).isSameAs(transactionManager)));
        broker.send(OrderListener.QUEUE, "o-1,25,2"); // fails on the first attempt, succeeds on the second
        await().atMost(Duration.ofSeconds(20)).until(() -> orders.attempts().contains("o-1#2"));
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertBalancesOf(0, 975, 1025));

        broker.send(OrderListener.QUEUE, "o-2,25,99"); // fails every time, until Artemis gives up on it
        await().atMost(Duration.ofSeconds(30)).until(() -> orders.attempts().contains("o-2#3"));
        Thread.sleep(500);
        assertBalancesOf(0, 975, 1025); // only o-1's second attempt, once
        assertThat(orders.attempts()).filteredOn(a -> a.startsWith("o-1#")).containsExactly("o-1#1", "o-1#2");
    }

    @Test
    void pledgeMetersAreBoundToBootsMeterRegistry() {
        transfers.transfer("m-1", 2, 2, 1);
        assertThat(meters.get("pledge.transactions").tag("outcome", "committed").tag("node", "boot-sample").functionCounter().count())
                .isGreaterThanOrEqualTo(1);
        assertThat(meters.get("pledge.decisions.pending").gauge().value()).isZero();
    }

    @Test
    void healthEndpointReportsUpAndDownWhileTheLogDirectoryIsGone() throws Exception {
        HttpResponse<String> up = health();
        assertThat(up.statusCode()).isEqualTo(200);
        assertThat(up.body()).contains("\"status\":\"UP\"").contains("\"node\":\"boot-sample\"").contains("\"inDoubtDecisions\":0")
                .contains("\"heuristicOutcomes\":0").contains("lastRecoveryPass");
        Path aside = logDirectory.resolveSibling("log-aside");
        Files.move(logDirectory, aside);
        try {
            HttpResponse<String> down = health();
            assertThat(down.statusCode()).isEqualTo(503);
            assertThat(down.body()).contains("\"status\":\"DOWN\"").contains("recovery log directory");
        } finally {
            Files.move(aside, logDirectory);
        }
        assertThat(health().statusCode()).isEqualTo(200);
    }

    private HttpResponse<String> health() throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/actuator/health/pledge")).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private void assertNothingMoved() throws Exception {
        assertBalances(1000, 1000);
        assertThat(broker.drain(TransferService.QUEUE, 500)).as("messages sent by rolled-back transfers").isEmpty();
    }

    private static void assertBalances(long mariaDbAccount1, long postgresAccount1) throws Exception {
        assertBalancesOf(1, mariaDbAccount1, postgresAccount1);
    }

    private static void assertBalancesOf(int account, long onMariaDb, long onPostgres) throws Exception {
        try (Connection m = Servers.mariaDb(); Connection p = Servers.postgres()) {
            assertThat(Servers.balance(m, ACCOUNTS, account)).as("MariaDB account " + account).isEqualTo(onMariaDb);
            assertThat(Servers.balance(p, ACCOUNTS, account)).as("PostgreSQL account " + account).isEqualTo(onPostgres);
        }
    }
}
