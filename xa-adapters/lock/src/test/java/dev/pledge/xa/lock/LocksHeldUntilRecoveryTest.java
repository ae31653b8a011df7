package dev.pledge.xa.lock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pledge.tm.RecoveryReport;
import dev.pledge.tm.TransactionService;
import dev.pledge.xa.jdbc.TransactionalDataSource;
import jakarta.transaction.Status;
import jakarta.transaction.TransactionManager;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.postgresql.xa.PGXADataSource;

/**
 * Issue 18 item 4, on PostgreSQL: a transaction whose database branch is left to recovery keeps
 * its locks until recovery has committed that branch, so the next holder of the key reads the
 * last holder's committed write instead of the old row (no lost update).
 */
class LocksHeldUntilRecoveryTest {
    static TestingServer zk;
    @TempDir
    Path dir;
    final List<AutoCloseable> open = new ArrayList<>();
    final ExecutorService pool = Executors.newCachedThreadPool();

    @BeforeAll
    static void startZooKeeper() throws Exception {
        zk = new TestingServer(true);
    }

    @AfterAll
    static void stopZooKeeper() throws Exception {
        zk.close();
    }

    @AfterEach
    void close() throws Exception {
        pool.shutdownNow();
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    static PGXADataSource postgres() {
        PGXADataSource ds = new PGXADataSource();
        ds.setUrl("jdbc:postgresql://127.0.0.1:5432/test");
        ds.setUser("postgres");
        ds.setConnectTimeout(3);
        return ds;
    }

    private static int read(TransactionalDataSource ds, String table) throws Exception {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT v FROM " + table
                + " WHERE id = 1")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    private static void write(TransactionalDataSource ds, String table, int v) throws Exception {
        try (Connection c = ds.getConnection(); PreparedStatement s = c.prepareStatement("UPDATE " + table + " SET v = ? WHERE id = 1")) {
            s.setInt(1, v);
            assertEquals(1, s.executeUpdate());
        }
    }

    @ParameterizedTest(name = "{0} backend")
    @ValueSource(strings = {"inproc", "zk"})
    void theKeysOfATransactionWithADatabaseBranchLeftToRecoveryAreHeldUntilRecoveryCommitsIt(String backend) throws Exception {
        String table = "lk_in_doubt_" + backend;
        PGXADataSource pg = postgres();
        try (Connection c = pg.getXAConnection().getConnection(); Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS " + table);
            s.execute("CREATE TABLE " + table + " (id INT PRIMARY KEY, v INT NOT NULL)");
            s.execute("INSERT INTO " + table + " VALUES (1, 0)");
        }
        TransactionService svc = TransactionService.builder().nodeName("lk-indoubt-" + backend).logDirectory(dir.resolve("log"))
                .recoveryInterval(Duration.ZERO).unsafeDisableFsync().build();
        open.add(svc);
        TransactionManager tm = svc.transactionManager();
        FailingCommitXADataSource failing = new FailingCommitXADataSource(pg);
        TransactionalDataSource ds = TransactionalDataSource.builder(svc).name("pg").xaDataSource(failing.dataSource()).joinable(false)
                .maxPoolSize(4).build();
        open.add(ds);
        LockService locks;
        if (backend.equals("zk")) {
            CuratorFramework c = CuratorFrameworkFactory.newClient(zk.getConnectString(), new ExponentialBackoffRetry(50, 5));
            c.start();
            assertTrue(c.blockUntilConnected(10, TimeUnit.SECONDS));
            open.add(c);
            locks = LockService.builder(tm).zooKeeper(c, "/in-doubt/" + UUID.randomUUID()).build();
        } else {
            locks = LockService.builder(tm).durableDirectory(dir.resolve("locks")).build();
        }
        open.add(locks);
        svc.recovery().register(locks.name(), locks::recoveryResource);

        // The first holder increments the counter; its database commit fails in phase two and is left to recovery.
        failing.failNextCommit();
        tm.begin();
        locks.lock("lk-counter");
        write(ds, table, read(ds, table) + 1);
        jakarta.transaction.Transaction first = tm.getTransaction();
        tm.commit();
        assertEquals(1, failing.failedCommits());
        assertEquals(Status.STATUS_COMMITTED, first.getStatus(), "the coordinator finished: the decision is commit");

        // The next holder must not get the key while the first one's write is still prepared (invisible to it).
        Future<Integer> next = pool.submit(() -> {
            tm.begin();
            try {
                locks.tryLock("lk-counter", Duration.ofSeconds(30));
                int seen = read(ds, table);
                write(ds, table, seen + 1);
                tm.commit();
                return seen;
            } catch (Exception e) {
                tm.rollback();
                throw e;
            }
        });
        try {
            next.get(1_500, TimeUnit.MILLISECONDS);
            org.junit.jupiter.api.Assertions.fail("the next holder got through while the first one's branch was still in doubt");
        } catch (TimeoutException expected) {
            // still waiting for the key
        }

        RecoveryReport report = svc.recovery().runPass();
        assertTrue(report.committed() >= 1, report.toString());
        assertEquals(1, next.get(30, TimeUnit.SECONDS), "the next holder read the first holder's committed write");
        assertEquals(2, read(ds, table), "no lost update");
        tm.begin();
        locks.tryLock("lk-counter", Duration.ZERO); // every key is free again
        tm.commit();
    }
}
