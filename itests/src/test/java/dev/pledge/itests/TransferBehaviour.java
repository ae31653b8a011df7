package dev.pledge.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pledge.tm.TransactionService;
import dev.pledge.xa.jdbc.TransactionalDataSource;
import jakarta.transaction.RollbackException;
import jakarta.transaction.Status;
import jakarta.transaction.Transaction;
import jakarta.transaction.TransactionManager;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import javax.sql.XADataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Money transfers between two databases through two {@link TransactionalDataSource}s: every
 * behaviour of the adapter inside and outside transactions, checked on the committed balances.
 * Subclasses name the two databases.
 */
abstract class TransferBehaviour {
    static final int ACCOUNTS = 16;
    static final long INITIAL = 1_000_000;

    @TempDir
    Path logDir;

    TransactionService svc;
    TransactionManager tm;
    TransactionalDataSource left;
    TransactionalDataSource right;
    Accounts leftAccounts;
    Accounts rightAccounts;

    abstract String nodeName();

    abstract XADataSource leftXa() throws Exception;

    abstract XADataSource rightXa() throws Exception;

    abstract Accounts leftTable() throws Exception;

    abstract Accounts rightTable() throws Exception;

    /** Transfers per thread in {@link #sixteenThreadsOfTransfersConserveTheTotal()}. */
    abstract int transfersPerThread();

    /** Prepared branches of this node left on the servers (none expected after any test). */
    List<String> leftoverXids() throws Exception {
        return List.of();
    }

    @BeforeEach
    void start() throws Exception {
        svc = TransactionService.builder().nodeName(nodeName()).logDirectory(logDir).recoveryInterval(Duration.ZERO)
                .defaultTimeout(Duration.ofSeconds(60)).build();
        tm = svc.transactionManager();
        left = TransactionalDataSource.builder(svc).name("left").xaDataSource(leftXa()).maxPoolSize(20)
                .acquisitionTimeout(Duration.ofSeconds(20)).build();
        right = TransactionalDataSource.builder(svc).name("right").xaDataSource(rightXa()).maxPoolSize(20)
                .acquisitionTimeout(Duration.ofSeconds(20)).build();
        // Presumed abort of anything an interrupted earlier run left prepared under this node name (it would lock the tables).
        svc.recovery().runPass();
        leftAccounts = leftTable().create(ACCOUNTS, INITIAL);
        rightAccounts = rightTable().create(ACCOUNTS, INITIAL);
    }

    @AfterEach
    void stop() throws Exception {
        try {
            if (tm != null && tm.getStatus() != Status.STATUS_NO_TRANSACTION) {
                tm.rollback();
            }
            if (left != null) {
                assertEquals(0, left.metrics().activeCount(), "connections of 'left' still checked out after the test");
                assertEquals(0, right.metrics().activeCount(), "connections of 'right' still checked out after the test");
            }
            assertEquals(List.of(), leftoverXids(), "prepared branches of " + nodeName() + " left on the servers");
        } finally {
            if (left != null) {
                left.close();
            }
            if (right != null) {
                right.close();
            }
            if (svc != null) {
                svc.close();
            }
        }
    }

    void transfer(int from, int to, long amount) throws Exception {
        try (Connection l = left.getConnection(); Connection r = right.getConnection()) {
            leftAccounts.add(l, from, -amount);
            rightAccounts.add(r, to, amount);
        }
    }

    long total() throws SQLException {
        return leftAccounts.total() + rightAccounts.total();
    }

    @Test
    void committedTransferMovesMoneyBetweenTheDatabases() throws Exception {
        tm.begin();
        transfer(3, 5, 250);
        tm.commit();
        assertEquals(INITIAL - 250, leftAccounts.balance(3));
        assertEquals(INITIAL + 250, rightAccounts.balance(5));
        assertEquals(2 * ACCOUNTS * INITIAL, total());
    }

    @Test
    void rolledBackTransferChangesNeitherDatabase() throws Exception {
        tm.begin();
        transfer(3, 5, 250);
        tm.rollback();
        assertEquals(INITIAL, leftAccounts.balance(3));
        assertEquals(INITIAL, rightAccounts.balance(5));
    }

    @Test
    void transactionThatTimesOutIsRolledBackByTheReaperAndCommitThrowsRollbackException() throws Exception {
        tm.setTransactionTimeout(1);
        try {
            tm.begin();
            transfer(1, 2, 40);
            Thread.sleep(2_500);
            assertEquals(Status.STATUS_ROLLEDBACK, tm.getStatus(), "the reaper should have rolled the transaction back");
            assertThrows(SQLException.class, () -> left.getConnection(), "no connection may join a rolled-back transaction");
            RollbackException e = assertThrows(RollbackException.class, tm::commit);
            assertTrue(e.getMessage().contains("timed out"), e.getMessage());
        } finally {
            tm.setTransactionTimeout(0);
        }
        assertEquals(INITIAL, leftAccounts.balance(1));
        assertEquals(INITIAL, rightAccounts.balance(2));
        // The rolled-back connections went back to the pool and are usable.
        tm.begin();
        transfer(1, 2, 40);
        tm.commit();
        assertEquals(INITIAL - 40, leftAccounts.balance(1));
    }

    @Test
    void exceptionThrownMidwayRollsBackTheWorkAlreadyDone() throws Exception {
        tm.begin();
        try {
            try (Connection l = left.getConnection()) {
                leftAccounts.add(l, 4, -500);
            }
            throw new IllegalStateException("fraud check failed");
        } catch (IllegalStateException expected) {
            tm.rollback();
        }
        assertEquals(INITIAL, leftAccounts.balance(4));
        assertEquals(2 * ACCOUNTS * INITIAL, total());
    }

    @Test
    void closeInsideTheTransactionKeepsTheSameConnectionUntilTheTransactionEnds() throws Exception {
        tm.begin();
        Connection first = left.getConnection();
        leftAccounts.add(first, 6, -70);
        first.close();
        assertTrue(first.isClosed());
        assertEquals(1, left.metrics().activeCount(), "closed inside the transaction, the connection stays enlisted");
        try (Connection again = left.getConnection()) {
            // Only the same physical connection sees the uncommitted debit.
            assertEquals(INITIAL - 70, leftAccounts.balance(again, 6));
            assertEquals(1, left.metrics().activeCount(), "the same transaction must get the same connection");
        }
        try (Connection r = right.getConnection()) {
            rightAccounts.add(r, 6, 70);
        }
        tm.commit();
        assertEquals(0, left.metrics().activeCount());
        assertEquals(INITIAL - 70, leftAccounts.balance(6));
        assertEquals(INITIAL + 70, rightAccounts.balance(6));
    }

    @Test
    void suspendedTransactionKeepsItsConnectionWhileAnotherTransactionUsesAnother() throws Exception {
        tm.begin();
        try (Connection l = left.getConnection()) {
            leftAccounts.add(l, 0, -10);
        }
        Transaction first = tm.suspend();
        assertNotNull(first);

        tm.begin();
        try (Connection l = left.getConnection()) {
            assertEquals(INITIAL, leftAccounts.balance(l, 0), "the second transaction must not see the first one's uncommitted work");
            leftAccounts.add(l, 1, -5);
        }
        try (Connection r = right.getConnection()) {
            rightAccounts.add(r, 1, 5);
        }
        assertEquals(2, left.metrics().activeCount(), "one connection per transaction");
        tm.commit();

        tm.resume(first);
        try (Connection l = left.getConnection()) {
            assertEquals(INITIAL - 10, leftAccounts.balance(l, 0), "after resume the first transaction gets its own connection back");
        }
        try (Connection r = right.getConnection()) {
            rightAccounts.add(r, 0, 10);
        }
        tm.commit();

        assertEquals(INITIAL - 10, leftAccounts.balance(0));
        assertEquals(INITIAL - 5, leftAccounts.balance(1));
        assertEquals(INITIAL + 10, rightAccounts.balance(0));
        assertEquals(INITIAL + 5, rightAccounts.balance(1));
    }

    @Test
    void outsideATransactionConnectionsAutoCommit() throws Exception {
        try (Connection l = left.getConnection()) {
            assertTrue(l.getAutoCommit());
            leftAccounts.add(l, 9, 1);
        }
        assertEquals(INITIAL + 1, leftAccounts.balance(9));
        assertEquals(0, left.metrics().activeCount());
    }

    @Test
    void sixteenThreadsOfTransfersConserveTheTotal() throws Exception {
        int threads = 16;
        int perThread = transfersPerThread();
        AtomicInteger committed = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        AtomicReference<Throwable> firstFailure = new AtomicReference<>();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                futures.add(pool.submit(() -> {
                    ThreadLocalRandom rnd = ThreadLocalRandom.current();
                    for (int i = 0; i < perThread; i++) {
                        try {
                            tm.begin();
                            transfer(rnd.nextInt(ACCOUNTS), rnd.nextInt(ACCOUNTS), rnd.nextLong(-100, 101));
                            tm.commit();
                            committed.incrementAndGet();
                        } catch (Exception e) {
                            failed.incrementAndGet();
                            firstFailure.compareAndSet(null, e);
                            try {
                                if (tm.getStatus() != Status.STATUS_NO_TRANSACTION) {
                                    tm.rollback();
                                }
                            } catch (Exception ignored) {
                                // already finished
                            }
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(2 * ACCOUNTS * INITIAL, total(), "money created or destroyed");
        int attempts = threads * perThread;
        assertTrue(failed.get() <= attempts / 100, failed.get() + " of " + attempts + " transfers failed; first: " + firstFailure.get());
        assertEquals(attempts, committed.get() + failed.get());
        assertFalse(committed.get() == 0);
        System.out.printf("%s: %d transfers committed, %d failed%n", nodeName(), committed.get(), failed.get());
    }
}
