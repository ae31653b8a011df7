package dev.pledge.xa.lock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pledge.tm.TransactionService;
import jakarta.transaction.RollbackException;
import jakarta.transaction.Status;
import jakarta.transaction.TransactionManager;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The lock service inside real Pledge transactions; each backend runs it. */
abstract class LockServiceContract {
    @TempDir
    Path dir;
    TransactionService svc;
    TransactionManager tm;
    LockService locks;
    ExecutorService pool;

    abstract LockService newLocks(TransactionManager tm) throws Exception;

    abstract int contentionRounds();

    @BeforeEach
    void start() throws Exception {
        svc = TransactionService.builder().nodeName("locktest").logDirectory(dir.resolve("log")).recoveryInterval(Duration.ZERO)
                .unsafeDisableFsync().build();
        tm = svc.transactionManager();
        locks = newLocks(tm);
        svc.recovery().register(locks.name(), locks::recoveryResource);
        pool = Executors.newCachedThreadPool();
    }

    @AfterEach
    void stop() {
        pool.shutdownNow();
        locks.close();
        svc.close();
    }

    /** Runs {@code body} in a new transaction on a pool thread and commits. */
    Future<LockGrant> inTransaction(String key, LockMode mode, Duration wait) {
        return pool.submit(() -> {
            tm.begin();
            try {
                LockGrant g = locks.tryLock(key, mode, wait);
                tm.commit();
                return g;
            } catch (RuntimeException e) {
                tm.rollback();
                throw e;
            }
        });
    }

    @Test
    void lockOutsideATransactionIsRefused() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> locks.lock("account-1"));
        assertTrue(e.getMessage().contains("needs a transaction") && e.getMessage().contains("account-1"), e.getMessage());
    }

    @Test
    void lockInATransactionMarkedRollbackOnlyIsRefusedNamingTheKey() throws Exception {
        tm.begin();
        tm.setRollbackOnly();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> locks.lock("account-3"));
        assertTrue(e.getMessage().contains("'account-3'") && e.getMessage().contains("rollback-only"), e.getMessage());
        tm.rollback();
        inTransaction("account-3", LockMode.EXCLUSIVE, Duration.ZERO).get(10, TimeUnit.SECONDS);
    }

    @Test
    void lockIsHeldUntilCommitThenGrantedToTheNextTransaction() throws Exception {
        tm.begin();
        LockGrant mine = locks.lock("account-1");
        Future<LockGrant> next = inTransaction("account-1", LockMode.EXCLUSIVE, Duration.ofSeconds(20));
        LockTableContract.assertStillWaiting(next);
        tm.commit();
        assertTrue(next.get(10, TimeUnit.SECONDS).fencingToken() > mine.fencingToken());
    }

    @Test
    void tryLockGivesUpAfterItsWaitNamingTheKeyAndLeavesTheTransactionFreeToGoOn() throws Exception {
        tm.begin();
        LockGrant held = locks.lock("account-7");
        jakarta.transaction.Transaction holder = tm.suspend();

        tm.begin();
        long t0 = System.nanoTime();
        LockTimeoutException e = assertThrows(LockTimeoutException.class, () -> locks.tryLock("account-7", Duration.ofMillis(400)));
        long waitedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertTrue(waitedMillis >= 400 && waitedMillis < 5_000, "waited " + waitedMillis + " ms for a 400 ms tryLock");
        assertEquals("account-7", e.key());
        assertEquals(LockMode.EXCLUSIVE, e.mode());
        assertTrue(e.waited().toMillis() >= 400, e.waited().toString());
        assertTrue(e.getMessage().contains("'account-7'") && e.getMessage().contains("EXCLUSIVE"), e.getMessage());
        assertEquals(Status.STATUS_ACTIVE, tm.getStatus(), "a timeout leaves the transaction as it was");
        LockGrant other = locks.tryLock("account-8", Duration.ZERO);
        tm.commit();

        tm.resume(holder);
        tm.commit();
        // the request that timed out left no trace in the key's queue: the key is free at once
        LockGrant next = inTransaction("account-7", LockMode.EXCLUSIVE, Duration.ZERO).get(10, TimeUnit.SECONDS);
        assertTrue(next.fencingToken() > held.fencingToken());
        inTransaction("account-8", LockMode.EXCLUSIVE, Duration.ZERO).get(10, TimeUnit.SECONDS);
        assertEquals("account-8", other.key());
    }

    @Test
    void sharedHoldersHoldAKeyTogetherAndAnExclusiveRequestGetsItOnlyOnceTheyCommitted() throws Exception {
        tm.begin();
        LockGrant reader = locks.lock("catalog", LockMode.SHARED);
        assertEquals(LockMode.SHARED, reader.mode());
        jakarta.transaction.Transaction first = tm.suspend();

        CountDownLatch secondHolds = new CountDownLatch(1);
        CountDownLatch secondMayCommit = new CountDownLatch(1);
        Future<LockGrant> second = pool.submit(() -> {
            tm.begin();
            LockGrant g = locks.tryLock("catalog", LockMode.SHARED, Duration.ZERO); // granted beside the first reader, no wait
            secondHolds.countDown();
            secondMayCommit.await(20, TimeUnit.SECONDS);
            tm.commit();
            return g;
        });
        assertTrue(secondHolds.await(10, TimeUnit.SECONDS), "a second reader is granted while the first holds the key");
        java.util.concurrent.ExecutionException refused = assertThrows(java.util.concurrent.ExecutionException.class,
                () -> inTransaction("catalog", LockMode.EXCLUSIVE, Duration.ZERO).get(10, TimeUnit.SECONDS));
        assertTrue(refused.getCause() instanceof LockTimeoutException, refused.getCause().toString());

        Future<LockGrant> writer = inTransaction("catalog", LockMode.EXCLUSIVE, Duration.ofSeconds(20));
        tm.resume(first);
        tm.commit();
        LockTableContract.assertStillWaiting(writer); // one reader still holds the key
        secondMayCommit.countDown();
        assertEquals(LockMode.SHARED, second.get(10, TimeUnit.SECONDS).mode());
        assertEquals(LockMode.EXCLUSIVE, writer.get(10, TimeUnit.SECONDS).mode());
    }

    @Test
    void aKeyLockedAgainInTheSameTransactionIsTheSameGrantAndOneCommitReleasesIt() throws Exception {
        tm.begin();
        LockGrant first = locks.lock("account-42");
        assertEquals(new LockGrant("account-42", LockMode.EXCLUSIVE, first.fencingToken()), first, "lock(key) is exclusive");
        assertEquals(first, locks.lock("account-42"), "re-entrant: no wait, the same grant and fencing token");
        assertEquals(first, locks.tryLock("account-42", LockMode.SHARED, Duration.ZERO), "the exclusive grant covers a shared request");
        tm.commit();
        LockGrant next = inTransaction("account-42", LockMode.EXCLUSIVE, Duration.ZERO).get(10, TimeUnit.SECONDS);
        assertTrue(next.fencingToken() > first.fencingToken());
    }

    @Test
    void rollbackReleasesTheLocks() throws Exception {
        tm.begin();
        locks.lock("account-1");
        locks.lock("account-2", LockMode.SHARED);
        tm.rollback();
        inTransaction("account-1", LockMode.EXCLUSIVE, Duration.ofMillis(500)).get(10, TimeUnit.SECONDS);
        inTransaction("account-2", LockMode.EXCLUSIVE, Duration.ofMillis(500)).get(10, TimeUnit.SECONDS);
    }

    @Test
    void locksArePreparedAndCommittedAlongsideAnotherResource() throws Exception {
        RecordingResource db = new RecordingResource("db");
        tm.begin();
        tm.getTransaction().enlistResource(db);
        locks.lock("order-1");
        Future<LockGrant> next = inTransaction("order-1", LockMode.SHARED, Duration.ofSeconds(20));
        tm.commit();
        assertEquals(List.of("start", "end", "prepare", "commit"), db.calls);
        next.get(10, TimeUnit.SECONDS);
        assertEquals(0, locks.recoveryResource().recover(javax.transaction.xa.XAResource.TMSTARTRSCAN).length);
    }

    @Test
    void locksAreHeldThroughPrepareAndPhaseTwoUntilEveryBranchCommitted() throws Exception {
        List<String> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.concurrent.atomic.AtomicReference<Future<LockGrant>> next = new java.util.concurrent.atomic.AtomicReference<>();
        // phase one and phase two run in enlistment order: "before", the locks, "after"
        RecordingResource before = new RecordingResource("before", call -> seen.add("before " + call + ": next "
                + (grantedWithin(next.get(), 300) ? "granted" : "waiting")));
        RecordingResource after = new RecordingResource("after", call -> seen.add("after " + call + ": next "
                + (grantedWithin(next.get(), 300) ? "granted" : "waiting")));
        tm.begin();
        tm.getTransaction().enlistResource(before);
        locks.lock("strict");
        tm.getTransaction().enlistResource(after);
        next.set(inTransaction("strict", LockMode.SHARED, Duration.ofSeconds(20)));
        LockTableContract.assertStillWaiting(next.get());
        tm.commit();
        next.get().get(10, TimeUnit.SECONDS);
        assertEquals(List.of("before prepare: next waiting", "after prepare: next waiting", "before commit: next waiting",
                "after commit: next waiting"), seen, "the lock is held through prepare and phase two, until every branch committed");
    }

    @Test
    void locksAreReleasedOnlyAfterEveryOtherBranchCommitted() throws Exception {
        CountDownLatch dbCommitting = new CountDownLatch(1);
        CountDownLatch letDbCommit = new CountDownLatch(1);
        AtomicBoolean dbCommitted = new AtomicBoolean();
        RecordingResource db = new RecordingResource("db", call -> {
            if (call.equals("commit")) {
                dbCommitting.countDown();
                try {
                    letDbCommit.await(20, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                dbCommitted.set(true);
            }
        });
        CountDownLatch locked = new CountDownLatch(1);
        Future<?> tx1 = pool.submit(() -> {
            tm.begin();
            locks.lock("balance"); // the lock branch is enlisted first, so it commits first
            tm.getTransaction().enlistResource(db);
            locked.countDown();
            tm.commit();
            return null;
        });
        assertTrue(locked.await(10, TimeUnit.SECONDS));
        Future<Boolean> tx2 = pool.submit(() -> {
            tm.begin();
            try {
                locks.tryLock("balance", LockMode.EXCLUSIVE, Duration.ofSeconds(20));
                return dbCommitted.get(); // what tx2 would read: is tx1's write committed?
            } finally {
                tm.rollback();
            }
        });
        assertTrue(dbCommitting.await(10, TimeUnit.SECONDS), "tx1 reached the commit of its database branch");
        LockTableContract.assertStillWaiting(tx2); // the lock branch has had its phase two, the database not yet
        letDbCommit.countDown();
        tx1.get(10, TimeUnit.SECONDS);
        assertTrue(tx2.get(10, TimeUnit.SECONDS), "tx2 was granted the lock only after tx1's other branch committed");
        assertEquals(0, locks.recoveryResource().recover(javax.transaction.xa.XAResource.TMSTARTRSCAN).length);
    }

    @Test
    void locksAreReleasedOnlyAfterEveryOtherBranchRolledBack() throws Exception {
        List<String> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.concurrent.atomic.AtomicReference<Future<LockGrant>> next = new java.util.concurrent.atomic.AtomicReference<>();
        RecordingResource db = new RecordingResource("db", call -> seen.add("db " + call + ": next "
                + (grantedWithin(next.get(), 300) ? "granted" : "waiting")));
        tm.begin();
        locks.lock("strict-rb");
        tm.getTransaction().enlistResource(db);
        next.set(inTransaction("strict-rb", LockMode.EXCLUSIVE, Duration.ofSeconds(20)));
        LockTableContract.assertStillWaiting(next.get());
        tm.rollback();
        next.get().get(10, TimeUnit.SECONDS);
        assertEquals(List.of("db rollback: next waiting"), seen);
    }

    /** Whether {@code f} completes within {@code millis} (a release that was due would have granted it by then). */
    static boolean grantedWithin(Future<?> f, long millis) {
        try {
            f.get(millis, TimeUnit.MILLISECONDS);
            return true;
        } catch (java.util.concurrent.TimeoutException e) {
            return false;
        } catch (Exception e) {
            return true;
        }
    }

    @Test
    void exclusiveHoldersNeverOverlapBetween16Threads() throws Exception {
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger overlaps = new AtomicInteger();
        long[] counter = new long[1];
        int rounds = contentionRounds();
        List<Future<?>> all = new ArrayList<>();
        for (int t = 0; t < 16; t++) {
            all.add(pool.submit(() -> {
                for (int i = 0; i < rounds; i++) {
                    tm.begin();
                    locks.lock("hot-key");
                    if (inside.incrementAndGet() != 1) {
                        overlaps.incrementAndGet();
                    }
                    long v = counter[0];
                    Thread.yield();
                    counter[0] = v + 1;
                    inside.decrementAndGet();
                    tm.commit();
                }
                return null;
            }));
        }
        for (Future<?> f : all) {
            f.get(120, TimeUnit.SECONDS);
        }
        assertEquals(0, overlaps.get());
        assertEquals(16L * rounds, counter[0]);
    }

    @Test
    void deadlockVictimIsMarkedRollbackOnlyAndTheOtherCommits() throws Exception {
        java.util.concurrent.CountDownLatch olderHasA = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch youngerHasB = new java.util.concurrent.CountDownLatch(1);
        Future<String> older = pool.submit(() -> {
            tm.begin();
            locks.lock("A");
            olderHasA.countDown();
            youngerHasB.await();
            locks.lock("B"); // waits for the younger one, then gets B once the victim rolls back
            tm.commit();
            return "committed";
        });
        Future<String> younger = pool.submit(() -> {
            olderHasA.await();
            tm.begin();
            locks.lock("B");
            youngerHasB.countDown();
            Thread.sleep(300); // the older one queues for B
            try {
                locks.lock("A");
                tm.commit();
                return "not chosen";
            } catch (LockDeadlockException e) {
                boolean markedRollbackOnly = tm.getStatus() == Status.STATUS_MARKED_ROLLBACK;
                assertThrows(RollbackException.class, () -> tm.commit());
                return "victim:" + markedRollbackOnly + ":" + e.getMessage();
            }
        });
        String v = younger.get(30, TimeUnit.SECONDS);
        assertTrue(v.startsWith("victim:true:") && v.contains("Deadlock") && v.contains("'A'") && v.contains(" -> "), v);
        assertEquals("committed", older.get(30, TimeUnit.SECONDS));
    }

    @Test
    void aTransactionTimedOutWhileWaitingGetsNoLock() throws Exception {
        tm.begin();
        locks.lock("slow");
        Future<LockGrant> waiter = pool.submit(() -> {
            tm.setTransactionTimeout(1);
            tm.begin();
            try {
                return locks.tryLock("slow", LockMode.EXCLUSIVE, Duration.ofSeconds(20));
            } finally {
                try {
                    tm.rollback();
                } catch (Exception ignored) {
                    // already rolled back by the reaper
                }
            }
        });
        java.util.concurrent.ExecutionException e = assertThrows(java.util.concurrent.ExecutionException.class,
                () -> waiter.get(15, TimeUnit.SECONDS));
        assertTrue(e.getCause() instanceof LockException && e.getCause().getMessage().contains("ended while"), e.getCause().toString());
        tm.commit();
        inTransaction("slow", LockMode.EXCLUSIVE, Duration.ofMillis(500)).get(10, TimeUnit.SECONDS);
    }

    @Test
    void aWaitingRequestOfATransactionCommittedOnAnotherThreadIsCancelledAndTheKeyStaysUsable() throws Exception {
        tm.begin();
        LockGrant held = locks.lock("shared-tx");
        jakarta.transaction.Transaction holder = tm.suspend();

        RecordingResource db = new RecordingResource("db");
        tm.begin();
        jakarta.transaction.Transaction both = tm.getTransaction();
        both.enlistResource(db); // two branches: the lock branch is asked to prepare, not to commit in one phase
        Future<LockGrant> secondThread = pool.submit(() -> {
            tm.resume(both);
            try {
                return locks.tryLock("shared-tx", LockMode.EXCLUSIVE, Duration.ofSeconds(20));
            } finally {
                tm.suspend();
            }
        });
        LockTableContract.assertStillWaiting(secondThread);
        tm.commit(); // thread 1 commits while thread 2 still waits: its request must not outlive the vote

        java.util.concurrent.ExecutionException e = assertThrows(java.util.concurrent.ExecutionException.class,
                () -> secondThread.get(10, TimeUnit.SECONDS));
        assertTrue(e.getCause() instanceof LockException && e.getCause().getMessage().contains("shared-tx")
                && e.getCause().getMessage().contains("cancelled"), e.getCause().toString());

        tm.resume(holder);
        tm.commit(); // the unrelated holder's commit releases the key without tripping over the forgotten request
        LockGrant next = inTransaction("shared-tx", LockMode.EXCLUSIVE, Duration.ZERO).get(10, TimeUnit.SECONDS);
        assertTrue(next.fencingToken() > held.fencingToken(), "the key is free and granted again");
    }
}
