package dev.pledge.xa.lock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.pledge.xa.lock.TestIds.Tx;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import javax.transaction.xa.XAException;
import javax.transaction.xa.XAResource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Behaviour every backend's lock table must show, driven directly with hand-made transactions. */
abstract class LockTableContract {
    static final long LONG = TimeUnit.SECONDS.toNanos(20);
    static final long SHORT = TimeUnit.MILLISECONDS.toNanos(150);

    final TestIds ids = new TestIds("lock-test");
    ExecutorService pool;
    LockBackend table;

    /** A fresh table; every call of one test sees the same lock state (same ZooKeeper path). */
    abstract LockBackend newTable() throws Exception;

    /** Iterations per thread of the contention test. */
    abstract int contentionRounds();

    /** How many requests (granted or waiting) the table has queued on {@code key} right now. */
    abstract int queueLength(String key) throws Exception;

    /** Waits until {@code key} has {@code n} queued requests, so that the next request surely arrives after them. */
    void awaitQueueLength(String key, int n) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (queueLength(key) != n) {
            if (System.nanoTime() > deadline) {
                fail("the queue of '" + key + "' never reached " + n + " requests; it has " + queueLength(key));
            }
            Thread.sleep(5);
        }
    }

    @BeforeEach
    void setUp() throws Exception {
        pool = Executors.newCachedThreadPool();
        table = newTable();
    }

    @AfterEach
    void tearDown() {
        pool.shutdownNow();
        table.close();
    }

    @Test
    void exclusiveHoldersNeverOverlapBetween16Threads() throws Exception {
        String[] keys = {"account-1", "account-2"};
        AtomicInteger[] inside = {new AtomicInteger(), new AtomicInteger()};
        long[] unsafeCounters = new long[2];
        AtomicInteger overlaps = new AtomicInteger();
        int rounds = contentionRounds();
        List<Future<?>> all = new ArrayList<>();
        for (int t = 0; t < 16; t++) {
            int thread = t;
            all.add(pool.submit(() -> {
                for (int i = 0; i < rounds; i++) {
                    int k = (thread + i) % 2;
                    Tx tx = ids.next();
                    table.acquire(tx.owner(), keys[k], LockMode.EXCLUSIVE, LONG);
                    if (inside[k].incrementAndGet() != 1) {
                        overlaps.incrementAndGet();
                    }
                    long v = unsafeCounters[k];
                    Thread.yield();
                    unsafeCounters[k] = v + 1;
                    inside[k].decrementAndGet();
                    table.release(tx.xid());
                }
                return null;
            }));
        }
        for (Future<?> f : all) {
            f.get(120, TimeUnit.SECONDS);
        }
        assertEquals(0, overlaps.get(), "two exclusive holders at once");
        assertEquals(16L * rounds, unsafeCounters[0] + unsafeCounters[1], "lost updates mean overlapping holders");
    }

    @Test
    void aSettledBranchIsNoLongerPreparedButKeepsItsKeysAndPlaceUntilReleased() throws Exception {
        Tx a = ids.next();
        Tx b = ids.next();
        table.acquire(a.owner(), "settled", LockMode.EXCLUSIVE, SHORT);
        Future<?> waiter = pool.submit(() -> table.acquire(b.owner(), "settled", LockMode.EXCLUSIVE, LONG));
        awaitQueueLength("settled", 2);
        assertEquals(XAResource.XA_OK, table.prepare(a.owner(), a.xid()));
        assertTrue(table.settle(a.xid()));
        assertEquals(List.of(), table.prepared(), "a committed branch must not be found by recovery");
        assertStillWaiting(waiter);
        assertTrue(table.release(a.xid()));
        waiter.get(10, TimeUnit.SECONDS);
        table.release(b.xid());
        assertFalse(table.settle(ids.next().xid()), "nothing is known of a branch that never took a lock");
    }

    @Test
    void sharedRequestBehindWaitingExclusiveWaitsAndGrantsFollowArrivalOrder() throws Exception {
        Tx reader1 = ids.next();
        Tx writer = ids.next();
        Tx reader2 = ids.next();
        List<String> order = new CopyOnWriteArrayList<>();
        table.acquire(reader1.owner(), "order-7", LockMode.SHARED, LONG);
        Future<?> w = pool.submit(() -> {
            table.acquire(writer.owner(), "order-7", LockMode.EXCLUSIVE, LONG);
            order.add("writer");
            return null;
        });
        assertStillWaiting(w);
        Future<?> r2 = pool.submit(() -> {
            table.acquire(reader2.owner(), "order-7", LockMode.SHARED, LONG);
            order.add("reader2");
            return null;
        });
        assertStillWaiting(r2); // compatible with reader1, but behind the waiting writer
        table.release(reader1.xid());
        w.get(10, TimeUnit.SECONDS);
        assertStillWaiting(r2);
        table.release(writer.xid());
        r2.get(10, TimeUnit.SECONDS);
        assertEquals(List.of("writer", "reader2"), order);
        table.release(reader2.xid());
    }

    @Test
    void exclusiveWaitersAreGrantedInArrivalOrder() throws Exception {
        Tx holder = ids.next();
        table.acquire(holder.owner(), "fifo", LockMode.EXCLUSIVE, SHORT);
        List<Integer> order = new CopyOnWriteArrayList<>();
        List<Future<?>> waiters = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            Tx w = ids.next();
            int arrival = i;
            waiters.add(pool.submit(() -> {
                table.acquire(w.owner(), "fifo", LockMode.EXCLUSIVE, LONG);
                order.add(arrival);
                table.release(w.xid());
                return null;
            }));
            awaitQueueLength("fifo", i + 2); // the holder and every waiter so far
        }
        table.release(holder.xid());
        for (Future<?> f : waiters) {
            f.get(20, TimeUnit.SECONDS);
        }
        assertEquals(List.of(0, 1, 2, 3), order, "the oldest request wins each time");
    }

    @Test
    void sharedHoldersCoexist() throws Exception {
        Tx a = ids.next();
        Tx b = ids.next();
        table.acquire(a.owner(), "catalog", LockMode.SHARED, SHORT);
        table.acquire(b.owner(), "catalog", LockMode.SHARED, SHORT);
        Tx c = ids.next();
        assertThrows(LockTimeoutException.class, () -> table.acquire(c.owner(), "catalog", LockMode.EXCLUSIVE, SHORT));
        table.release(a.xid());
        table.release(b.xid());
        table.acquire(c.owner(), "catalog", LockMode.EXCLUSIVE, SHORT);
        table.release(c.xid());
    }

    @Test
    void reentrantWithinOneTransaction() throws Exception {
        Tx a = ids.next();
        LockGrant first = table.acquire(a.owner(), "k", LockMode.EXCLUSIVE, SHORT);
        LockGrant again = table.acquire(a.owner(), "k", LockMode.EXCLUSIVE, SHORT);
        LockGrant shared = table.acquire(a.owner(), "k", LockMode.SHARED, SHORT);
        assertEquals(first, again);
        assertEquals(first, shared, "an exclusive grant covers a shared request");
        Tx b = ids.next();
        assertThrows(LockTimeoutException.class, () -> table.acquire(b.owner(), "k", LockMode.SHARED, SHORT));
        table.release(a.xid());
        table.acquire(b.owner(), "k", LockMode.SHARED, SHORT);
        table.release(b.xid());
    }

    @Test
    void sharedHolderUpgradesToExclusiveOnceAlone() throws Exception {
        Tx a = ids.next();
        Tx b = ids.next();
        table.acquire(a.owner(), "k", LockMode.SHARED, SHORT);
        table.acquire(b.owner(), "k", LockMode.SHARED, SHORT);
        Future<LockGrant> up = pool.submit(() -> table.acquire(a.owner(), "k", LockMode.EXCLUSIVE, LONG));
        assertStillWaiting(up);
        table.release(b.xid());
        assertEquals(LockMode.EXCLUSIVE, up.get(10, TimeUnit.SECONDS).mode());
        table.release(a.xid());
    }

    @Test
    void timeoutNamesKeyModeWaitAndHolder() throws Exception {
        Tx holder = ids.next();
        Tx waiter = ids.next();
        table.acquire(holder.owner(), "invoice-42", LockMode.EXCLUSIVE, SHORT);
        long t0 = System.nanoTime();
        LockTimeoutException e = assertThrows(LockTimeoutException.class,
                () -> table.acquire(waiter.owner(), "invoice-42", LockMode.SHARED, SHORT));
        assertTrue(System.nanoTime() - t0 >= SHORT, "returned before the timeout");
        assertEquals("invoice-42", e.key());
        assertEquals(LockMode.SHARED, e.mode());
        assertTrue(e.waited().toNanos() >= SHORT);
        assertTrue(e.getMessage().contains("invoice-42") && e.getMessage().contains("SHARED")
                && e.getMessage().contains(holder.owner().toString()) && e.getMessage().contains("EXCLUSIVE, holding"), e.getMessage());
        // the timed-out request left the queue: the key is free once the holder goes
        table.release(holder.xid());
        table.acquire(waiter.owner(), "invoice-42", LockMode.EXCLUSIVE, SHORT);
        table.release(waiter.xid());
    }

    @Test
    void deadlockAbortsTheYoungestAndTheOtherProceeds() throws Exception {
        Tx older = ids.next();
        Tx younger = ids.next();
        table.acquire(older.owner(), "A", LockMode.EXCLUSIVE, SHORT);
        table.acquire(younger.owner(), "B", LockMode.EXCLUSIVE, SHORT);
        Future<LockGrant> olderWaits = pool.submit(() -> table.acquire(older.owner(), "B", LockMode.EXCLUSIVE, LONG));
        assertStillWaiting(olderWaits);
        LockDeadlockException e = assertThrows(LockDeadlockException.class,
                () -> table.acquire(younger.owner(), "A", LockMode.EXCLUSIVE, LONG));
        assertEquals(younger.owner() + " -> " + older.owner() + " -> " + younger.owner(), e.cycle());
        assertTrue(e.getMessage().contains("'A'") && e.getMessage().contains(e.cycle()), e.getMessage());
        assertStillWaiting(olderWaits); // the victim still holds B until its transaction rolls back
        table.release(younger.xid());
        assertEquals("B", olderWaits.get(10, TimeUnit.SECONDS).key());
        table.release(older.xid());
    }

    @Test
    void fencingTokensIncreaseWithEveryGrant() throws Exception {
        long last = Long.MIN_VALUE;
        for (int i = 0; i < 5; i++) {
            Tx tx = ids.next();
            long token = table.acquire(tx.owner(), "fenced", i % 2 == 0 ? LockMode.EXCLUSIVE : LockMode.SHARED, SHORT).fencingToken();
            assertTrue(token > last, "token " + token + " after " + last);
            last = token;
            table.release(tx.xid());
        }
    }

    @Test
    void releaseCancelsAWaitingRequestOfTheSameTransaction() throws Exception {
        Tx holder = ids.next();
        Tx waiter = ids.next();
        table.acquire(holder.owner(), "k", LockMode.EXCLUSIVE, SHORT);
        Future<LockGrant> w = pool.submit(() -> table.acquire(waiter.owner(), "k", LockMode.EXCLUSIVE, LONG));
        assertStillWaiting(w);
        table.release(waiter.xid()); // e.g. the timeout reaper rolled the waiter's transaction back
        try {
            w.get(10, TimeUnit.SECONDS);
            fail("a cancelled request was granted");
        } catch (java.util.concurrent.ExecutionException e) {
            assertTrue(e.getCause() instanceof LockException && e.getCause().getMessage().contains("ended while it waited"), e.getCause().toString());
        }
        table.release(holder.xid());
        Tx next = ids.next();
        table.acquire(next.owner(), "k", LockMode.EXCLUSIVE, SHORT);
        table.release(next.xid());
    }

    @Test
    void preparedLocksAreListedAndHeldUntilReleased() throws Exception {
        Tx a = ids.next();
        table.acquire(a.owner(), "p1", LockMode.EXCLUSIVE, SHORT);
        table.acquire(a.owner(), "p2", LockMode.SHARED, SHORT);
        assertEquals(XAResource.XA_OK, table.prepare(a.owner(), a.xid()));
        assertEquals(List.of(a.xid()), table.prepared());
        Tx b = ids.next();
        assertThrows(LockTimeoutException.class, () -> table.acquire(b.owner(), "p1", LockMode.SHARED, SHORT));
        assertThrows(LockTimeoutException.class, () -> table.acquire(b.owner(), "p2", LockMode.EXCLUSIVE, SHORT));
        assertTrue(table.release(a.xid()));
        assertEquals(List.of(), table.prepared());
        assertFalse(table.release(a.xid()), "a second release knows nothing of the branch");
        table.acquire(b.owner(), "p1", LockMode.EXCLUSIVE, SHORT);
        table.acquire(b.owner(), "p2", LockMode.EXCLUSIVE, SHORT);
        table.release(b.xid());
    }

    @Test
    void prepareWithoutLocksVotesReadOnly() throws XAException {
        Tx a = ids.next();
        assertEquals(XAResource.XA_RDONLY, table.prepare(a.owner(), a.xid()));
        assertEquals(List.of(), table.prepared());
    }

    @Test
    void aRequestWaitingWhenItsTransactionPreparesIsCancelledAndNeverGranted() throws Exception {
        Tx holder = ids.next();
        Tx a = ids.next();
        table.acquire(holder.owner(), "lk-late", LockMode.EXCLUSIVE, SHORT);
        table.acquire(a.owner(), "lk-own", LockMode.EXCLUSIVE, SHORT);
        Future<LockGrant> late = pool.submit(() -> table.acquire(a.owner(), "lk-late", LockMode.EXCLUSIVE, LONG));
        awaitQueueLength("lk-late", 2);
        assertEquals(javax.transaction.xa.XAResource.XA_OK, table.prepare(a.owner(), a.xid()));
        java.util.concurrent.ExecutionException e = assertThrows(java.util.concurrent.ExecutionException.class,
                () -> late.get(10, TimeUnit.SECONDS));
        assertTrue(e.getCause() instanceof LockException && e.getCause().getMessage().contains("cancelled")
                && e.getCause().getMessage().contains("lk-late"), e.getCause().toString());
        assertThrows(IllegalStateException.class, () -> table.acquire(a.owner(), "lk-new", LockMode.SHARED, SHORT),
                "a prepared transaction takes no new lock");
        assertTrue(table.release(holder.xid()));
        Tx c = ids.next();
        table.acquire(c.owner(), "lk-late", LockMode.EXCLUSIVE, SHORT); // free: the prepared transaction's request is gone
        assertEquals(List.of(a.xid()), table.prepared());
        assertTrue(table.release(a.xid()));
        assertTrue(table.release(c.xid()));
    }

    static void assertStillWaiting(Future<?> f) throws Exception {
        try {
            f.get(300, TimeUnit.MILLISECONDS);
            fail("the request was granted but should still wait");
        } catch (TimeoutException expected) {
            // still waiting
        }
    }

}
