package dev.pledge.xa.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pledge.tm.TransactionService;
import jakarta.transaction.RollbackException;
import jakarta.transaction.Status;
import jakarta.transaction.Transaction;
import jakarta.transaction.TransactionManager;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 18 item 6: a connection is never handed out on behalf of a transaction that is no longer active. */
class TimedOutTransactionConnectionTest {
    @TempDir
    Path dir;

    TransactionService svc;
    TransactionManager tm;
    JdbcDataSource h2;

    @BeforeEach
    void start() throws Exception {
        svc = TransactionService.builder().nodeName("unit-timeout").logDirectory(dir.resolve("log")).recoveryInterval(Duration.ZERO)
                .unsafeDisableFsync().build();
        tm = svc.transactionManager();
        h2 = new JdbcDataSource();
        h2.setURL("jdbc:h2:file:" + dir.resolve("db").toAbsolutePath());
        h2.setUser("sa");
        try (Connection c = h2.getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE t (id INT PRIMARY KEY, v INT)");
            s.execute("INSERT INTO t VALUES (1, 0)");
        }
    }

    @AfterEach
    void stop() {
        svc.close();
    }

    private int committedValue() throws Exception {
        try (Connection c = h2.getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT v FROM t")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    @Test
    void aTransactionThatTimesOutWhileWaitingForAPooledConnectionGetsAnExceptionNotAnAutoCommitConnection() throws Exception {
        try (TransactionalDataSource ds = TransactionalDataSource.builder(svc).name("db").xaDataSource(h2).maxPoolSize(1)
                .acquisitionTimeout(Duration.ofSeconds(20)).build()) {
            Connection hog = ds.getConnection(); // outside a transaction: the only pooled connection is taken
            AtomicReference<Transaction> waiting = new AtomicReference<>();
            CountDownLatch begun = new CountDownLatch(1);
            CompletableFuture<Throwable> waiter = CompletableFuture.supplyAsync(() -> {
                try {
                    tm.setTransactionTimeout(1);
                    tm.begin();
                    waiting.set(tm.getTransaction());
                    begun.countDown();
                    Throwable failure = null;
                    try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
                        s.executeUpdate("UPDATE t SET v = 666"); // must never run, least of all auto-committed
                    } catch (SQLException e) {
                        failure = e;
                    }
                    try {
                        tm.commit();
                        return new AssertionError("the timed-out transaction committed");
                    } catch (RollbackException expected) {
                        return failure;
                    }
                } catch (Exception e) {
                    return e;
                }
            });
            assertTrue(begun.await(10, TimeUnit.SECONDS));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
            while (waiting.get().getStatus() != Status.STATUS_ROLLEDBACK && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertEquals(Status.STATUS_ROLLEDBACK, waiting.get().getStatus(), "the reaper rolled the waiting transaction back");
            assertEquals(1, ds.metrics().awaitingCount(), "the transaction's thread is still waiting for a connection");
            hog.close(); // the pooled connection is free: the waiting getConnection() now gets it

            Throwable failure = waiter.get(30, TimeUnit.SECONDS);
            SQLException e = assertInstanceOf(SQLException.class, failure, String.valueOf(failure));
            assertTrue(e.getMessage().contains("'db'") && e.getMessage().contains("rolled back"), e.getMessage());
            assertEquals(0, committedValue(), "no auto-commit write on behalf of the rolled-back transaction");
            assertEquals(0, ds.metrics().activeCount(), "the connection went back to the pool");
        }
    }

    @Test
    void aConnectionAskedForAfterTheTransactionCompletedOnTheSameThreadIsRefused() throws Exception {
        try (TransactionalDataSource ds = TransactionalDataSource.builder(svc).name("db").xaDataSource(h2).maxPoolSize(2).build()) {
            AtomicReference<Object> inAfterCompletion = new AtomicReference<>();
            tm.begin();
            tm.getTransaction().registerSynchronization(new jakarta.transaction.Synchronization() {
                @Override
                public void beforeCompletion() {
                }

                @Override
                public void afterCompletion(int status) {
                    try (Connection c = ds.getConnection()) {
                        inAfterCompletion.set(c.getAutoCommit() ? "an auto-commit connection" : "an enlisted connection");
                    } catch (SQLException e) {
                        inAfterCompletion.set(e);
                    }
                }
            });
            tm.commit();
            SQLException e = assertInstanceOf(SQLException.class, inAfterCompletion.get(), String.valueOf(inAfterCompletion.get()));
            assertTrue(e.getMessage().contains("not active"), e.getMessage());
            assertEquals(0, ds.metrics().activeCount());
        }
    }
}
