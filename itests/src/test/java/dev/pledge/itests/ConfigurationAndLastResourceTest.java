package dev.pledge.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.mysql.cj.jdbc.MysqlXADataSource;
import dev.pledge.tm.TransactionService;
import dev.pledge.xa.jdbc.TransactionalDataSource;
import jakarta.transaction.TransactionManager;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Precise errors for bad configuration, the pool's limits, and a non-XA data source as the single last resource. */
class ConfigurationAndLastResourceTest {
    @TempDir
    Path dir;

    TransactionService svc;
    TransactionManager tm;

    @BeforeEach
    void start() {
        svc = TransactionService.builder().nodeName("itest-config").logDirectory(dir.resolve("log")).recoveryInterval(Duration.ZERO)
                .build();
        tm = svc.transactionManager();
    }

    @AfterEach
    void stop() {
        svc.close();
    }

    private String h2Url(String name) {
        return "jdbc:h2:file:" + dir.resolve(name).toAbsolutePath();
    }

    private JdbcDataSource h2(String name) {
        JdbcDataSource ds = new JdbcDataSource();
        ds.setURL(h2Url(name));
        ds.setUser("sa");
        return ds;
    }

    private Accounts h2Accounts(String name) {
        return new Accounts("accounts", () -> DriverManager.getConnection(h2Url(name), "sa", ""));
    }

    @Test
    void wrongUrlFailsAtBuildNamingTheDataSourceAndTheUrl() {
        MysqlXADataSource wrong = new MysqlXADataSource();
        wrong.setUrl("jdbc:mysql://127.0.0.1:3999/test?connectTimeout=2000");
        wrong.setUser("root");
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> TransactionalDataSource.builder(svc).name("orders").xaDataSource(wrong).build());
        assertTrue(e.getMessage().contains("'orders' cannot connect to jdbc:mysql://127.0.0.1:3999/test"), e.getMessage());
        assertTrue(e.getMessage().contains("Check the URL"), e.getMessage());
    }

    @Test
    void postgresWithPreparedTransactionsEnabledBuildsAndIsNotJoinable() {
        try (TransactionalDataSource pg = TransactionalDataSource.builder(svc).name("pg").xaDataSource(Servers.postgres()).build()) {
            assertFalse(pg.joinable());
        }
        try (TransactionalDataSource maria = TransactionalDataSource.builder(svc).name("maria").xaDataSource(Servers.mariaDb()).build()) {
            assertFalse(maria.joinable(), "MariaDB rejects XA START ... JOIN");
        }
        try (TransactionalDataSource h2 = TransactionalDataSource.builder(svc).name("h2").xaDataSource(h2("j")).build()) {
            assertTrue(h2.joinable());
        }
    }

    @Test
    void builderRejectsAMissingNameAndTwoKindsOfDataSource() {
        IllegalArgumentException noName = assertThrows(IllegalArgumentException.class,
                () -> TransactionalDataSource.builder(svc).xaDataSource(h2("x")).build());
        assertTrue(noName.getMessage().contains("needs a name"), noName.getMessage());
        IllegalArgumentException both = assertThrows(IllegalArgumentException.class,
                () -> TransactionalDataSource.builder(svc).name("both").xaDataSource(h2("x")).nonXaDataSource(h2("y")).build());
        assertTrue(both.getMessage().contains("exactly one of xaDataSource(...) or nonXaDataSource(...)"), both.getMessage());
    }

    @Test
    void exhaustedPoolFailsAfterTheAcquisitionTimeoutSayingSo() throws Exception {
        try (TransactionalDataSource ds = TransactionalDataSource.builder(svc).name("small").xaDataSource(Servers.mariaDb())
                .maxPoolSize(1).acquisitionTimeout(Duration.ofMillis(300)).build()) {
            CountDownLatch taken = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            Thread holder = new Thread(() -> {
                try (Connection c = ds.getConnection()) {
                    assertTrue(c.isValid(2));
                    taken.countDown();
                    release.await();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            holder.start();
            taken.await();
            long start = System.nanoTime();
            try {
                SQLTransientConnectionException e = assertThrows(SQLTransientConnectionException.class, ds::getConnection);
                long waitedMillis = (System.nanoTime() - start) / 1_000_000;
                assertTrue(waitedMillis >= 250, "gave up after " + waitedMillis + " ms");
                assertTrue(e.getMessage().contains("Data source 'small': no connection became free within 300 ms"), e.getMessage());
                assertTrue(e.getMessage().contains("pool exhausted: maxPoolSize 1, 1 in use"), e.getMessage());
            } finally {
                release.countDown();
                holder.join();
            }
            try (Connection c = ds.getConnection()) {
                assertTrue(c.isValid(2), "the pool serves again once the connection is back");
            }
            assertEquals(1, ds.metrics().maxUsedCount());
        }
    }

    @Test
    void pooledConnectionKilledOnTheServerFailsEnlistmentClearlyAndIsReplaced() throws Exception {
        Accounts accounts = new Accounts("pledge_it_killed", Servers::mariaDbConnection).create(1, 100);
        try (TransactionalDataSource ds = TransactionalDataSource.builder(svc).name("killed").xaDataSource(Servers.mariaDb())
                .maxPoolSize(1).acquisitionTimeout(Duration.ofSeconds(2)).build()) {
            long id;
            try (Connection c = ds.getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT CONNECTION_ID()")) {
                rs.next();
                id = rs.getLong(1);
            }
            try (Connection admin = Servers.mariaDbConnection(); Statement s = admin.createStatement()) {
                s.execute("KILL " + id);
            }
            tm.begin();
            SQLException e = assertThrows(SQLException.class, ds::getConnection);
            assertTrue(e.getMessage().contains("Data source 'killed' could not enlist"), e.getMessage());
            assertEquals(0, ds.metrics().activeCount());
            // A branch that could not start leaves the transaction rollback-only, as in Narayana:
            // the application must not commit the rest of its work as if this resource had taken part.
            assertEquals(jakarta.transaction.Status.STATUS_MARKED_ROLLBACK, tm.getStatus());
            tm.rollback();

            // The pool validates its idle connections after a failed enlistment: the dead one goes, a new one comes.
            tm.begin();
            Connection c = null;
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (c == null) {
                try {
                    c = ds.getConnection();
                } catch (SQLException stillDead) {
                    if (System.nanoTime() > deadline) {
                        throw stillDead;
                    }
                    tm.rollback(); // the failed attempt marked this transaction rollback-only
                    Thread.sleep(100);
                    tm.begin();
                }
            }
            try (Connection fresh = c) {
                accounts.add(fresh, 0, 5);
            }
            tm.commit();
            assertEquals(105, accounts.balance(0));
            assertTrue(ds.metrics().invalidCount() + ds.metrics().flushCount() >= 1, ds.metrics().toString());
        } finally {
            accounts.drop();
        }
    }

    @Test
    void leakDetectionAndIdleEvictionComeFromAgroalAndShowInTheMetrics() throws Exception {
        try (TransactionalDataSource ds = TransactionalDataSource.builder(svc).name("housekeeping").xaDataSource(h2("hk"))
                .maxPoolSize(3).leakDetection(Duration.ofMillis(200)).idleTimeout(Duration.ofMillis(200)).build()) {
            try (Connection held = ds.getConnection()) {
                assertTrue(held.isValid(2));
                Thread.sleep(700);
                assertTrue(ds.metrics().leakDetectionCount() >= 1, "a connection held past the leak threshold is reported: "
                        + ds.metrics());
            }
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (ds.metrics().reapCount() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertEquals(1, ds.metrics().reapCount(), "the idle connection is evicted: " + ds.metrics());
            assertEquals(0, ds.metrics().availableCount());
        }
    }

    @Test
    void nonXaDataSourceCommitsAsTheLastResourceAfterTheXaBranchPrepared() throws Exception {
        Accounts xaSide = h2Accounts("xa").create(2, 100);
        Accounts localSide = h2Accounts("local").create(2, 100);
        try (TransactionalDataSource xa = TransactionalDataSource.builder(svc).name("xa").xaDataSource(h2("xa")).build();
                TransactionalDataSource local = TransactionalDataSource.builder(svc).name("local").nonXaDataSource(h2("local")).build()) {
            tm.begin();
            try (Connection a = xa.getConnection(); Connection b = local.getConnection()) {
                assertFalse(b.getAutoCommit(), "the last resource runs a local transaction");
                xaSide.add(a, 0, -30);
                localSide.add(b, 0, 30);
            }
            tm.commit();
            assertEquals(70, xaSide.balance(0));
            assertEquals(130, localSide.balance(0));

            tm.begin();
            try (Connection a = xa.getConnection(); Connection b = local.getConnection()) {
                xaSide.add(a, 1, -30);
                localSide.add(b, 1, 30);
            }
            tm.rollback();
            assertEquals(100, xaSide.balance(1));
            assertEquals(100, localSide.balance(1));

            try (Connection b = local.getConnection()) {
                assertTrue(b.getAutoCommit(), "outside a transaction the non-XA connection auto-commits again");
            }
        }
    }

    @Test
    void secondNonXaDataSourceInOneTransactionIsRefusedWithTheReason() throws Exception {
        Accounts first = h2Accounts("one").create(1, 100);
        h2Accounts("two").create(1, 100);
        try (TransactionalDataSource one = TransactionalDataSource.builder(svc).name("one").nonXaDataSource(h2("one")).build();
                TransactionalDataSource two = TransactionalDataSource.builder(svc).name("two").nonXaDataSource(h2("two")).build()) {
            tm.begin();
            try (Connection a = one.getConnection()) {
                first.add(a, 0, 1);
                SQLException e = assertThrows(SQLException.class, two::getConnection);
                assertTrue(e.getMessage().contains("Data source 'two' could not enlist"), e.getMessage());
                assertTrue(e.getMessage().contains("already has a last resource (one)"), e.getMessage());
                assertEquals(0, two.metrics().activeCount(), "the refused connection went back to the pool");
            }
            tm.commit();
            assertEquals(101, first.balance(0));
        }
    }
}
