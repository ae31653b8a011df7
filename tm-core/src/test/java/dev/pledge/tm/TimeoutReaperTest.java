package dev.pledge.tm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.transaction.RollbackException;
import jakarta.transaction.Status;
import jakarta.transaction.Synchronization;
import jakarta.transaction.Transaction;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import javax.transaction.xa.XAException;
import javax.transaction.xa.Xid;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The timeout reaper of issue 17 items 5, 11 and 13 (the fixture's reaper runs every 20 ms). */
class TimeoutReaperTest {
    private final Fixture f = new Fixture(Duration.ofSeconds(60));
    /** Opened by each test (and at the end) to let a blocked resource call return. */
    private final CountDownLatch release = new CountDownLatch(1);

    @AfterEach
    void close() {
        release.countDown();
        f.close();
    }

    /** A resource whose {@code end} blocks until {@link #release} opens, like XA END on a busy JDBC connection. */
    private ScriptedXAResource hangingEnd(String name, CountDownLatch entered) {
        return new ScriptedXAResource(name, f.log) {
            @Override
            public void end(Xid xid, int flags) throws XAException {
                super.end(xid, flags);
                entered.countDown();
                await(release);
            }
        };
    }

    /** A resource whose {@code rollback} blocks until {@link #release} opens, then logs {@code name.rolledBack}. */
    private ScriptedXAResource slowRollback(String name, CountDownLatch entered) {
        return new ScriptedXAResource(name, f.log) {
            @Override
            public void rollback(Xid xid) throws XAException {
                super.rollback(xid);
                entered.countDown();
                await(release);
                log.add(name + ".rolledBack");
            }
        };
    }

    private static void await(CountDownLatch latch) {
        try {
            if (!latch.await(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("never released");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Logs {@code name.after(status)} and keeps the statuses it was told. */
    private Synchronization afterRecorder(String name, List<Integer> told) {
        return new Synchronization() {
            @Override
            public void beforeCompletion() {
            }

            @Override
            public void afterCompletion(int status) {
                f.log.add(name + ".after(" + status + ")");
                told.add(status);
            }
        };
    }

    // ------------------------------------------------------------------ item 5

    @Test
    void aHangingEndOfOneTimedOutTransactionDelaysNoOtherTransactionsTimeout() throws Exception {
        CountDownLatch hung = new CountDownLatch(1);
        ScriptedXAResource h = hangingEnd("h", hung);
        ScriptedXAResource a = f.resource("a");
        f.tm.setTransactionTimeout(1);
        Transaction stuck = f.begin(h);
        f.tm.suspend();
        f.tm.setTransactionTimeout(2);
        Transaction other = f.begin(a);
        long otherDeadline = f.current().deadlineNanos;
        f.tm.suspend();
        assertTrue(hung.await(10, TimeUnit.SECONDS), "the reaper never ended h: " + f.log);

        long giveUp = System.nanoTime() + 10_000_000_000L;
        while (f.log.count("a.rollback") == 0 && System.nanoTime() < giveUp) {
            Thread.sleep(5);
        }
        long lateMillis = (System.nanoTime() - otherDeadline) / 1_000_000;
        assertEquals(1, f.log.count("a.rollback"), "the other transaction was never rolled back: " + f.log);
        assertTrue(lateMillis < 1_000, "rolled back " + lateMillis + " ms after its deadline");
        assertTrue(f.log.indexOf("a.end(TMFAIL)") < f.log.indexOf("a.rollback"), f.log.toString());
        assertEquals(0, f.log.count("h.rollback"), "h's end is still hanging");

        release.countDown();
        giveUp = System.nanoTime() + 10_000_000_000L;
        while (stuck.getStatus() != Status.STATUS_ROLLEDBACK && System.nanoTime() < giveUp) {
            Thread.sleep(5);
        }
        assertEquals(1, f.log.count("h.rollback"), f.log.toString());
        assertEquals(Status.STATUS_ROLLEDBACK, stuck.getStatus());
        assertEquals(Status.STATUS_ROLLEDBACK, other.getStatus());
        assertEquals(2, f.svc.metrics().getTimedOut());
    }

    /** A delist holds the transaction's monitor while its end hangs: the reaper must not wait for that monitor either. */
    @Test
    void anEndHangingInDelistOnTheApplicationThreadDelaysNoOtherTransactionsTimeout() throws Exception {
        CountDownLatch hung = new CountDownLatch(1);
        ScriptedXAResource h = hangingEnd("h", hung);
        ScriptedXAResource a = f.resource("a");
        Thread app = new Thread(() -> {
            try {
                f.tm.setTransactionTimeout(1);
                Transaction t = f.begin(h);
                t.delistResource(h, javax.transaction.xa.XAResource.TMSUCCESS); // hangs until released
            } catch (Exception e) {
                f.log.add("app failed: " + e);
            }
        }, "app");
        app.setDaemon(true);
        app.start();
        assertTrue(hung.await(10, TimeUnit.SECONDS), f.log.toString());
        f.tm.setTransactionTimeout(2);
        Transaction other = f.begin(a);
        long otherDeadline = f.current().deadlineNanos;
        f.tm.suspend();

        long giveUp = System.nanoTime() + 10_000_000_000L;
        while (f.log.count("a.rollback") == 0 && System.nanoTime() < giveUp) {
            Thread.sleep(5);
        }
        long lateMillis = (System.nanoTime() - otherDeadline) / 1_000_000;
        assertEquals(1, f.log.count("a.rollback"), "the other transaction was never rolled back: " + f.log);
        assertTrue(lateMillis < 1_000, "rolled back " + lateMillis + " ms after its deadline");
        release.countDown();
        app.join(10_000);
        giveUp = System.nanoTime() + 10_000_000_000L;
        while (f.log.count("h.rollback") == 0 && System.nanoTime() < giveUp) {
            Thread.sleep(5);
        }
        assertEquals(1, f.log.count("h.rollback"), "the first transaction is rolled back once its delist returns: " + f.log);
        assertEquals(Status.STATUS_ROLLEDBACK, other.getStatus());
    }

    @Test
    void theReaperItselfNeverCallsTheResources() throws Exception {
        List<String> threads = new CopyOnWriteArrayList<>();
        ScriptedXAResource a = new ScriptedXAResource("a", f.log) {
            @Override
            public void rollback(Xid xid) throws XAException {
                threads.add(Thread.currentThread().getName());
                super.rollback(xid);
            }
        };
        f.tm.setTransactionTimeout(1);
        Transaction t = f.begin(a);
        long giveUp = System.nanoTime() + 10_000_000_000L;
        while (t.getStatus() != Status.STATUS_ROLLEDBACK && System.nanoTime() < giveUp) {
            Thread.sleep(5);
        }
        assertEquals(1, threads.size(), f.log.toString());
        assertFalse(threads.get(0).startsWith("pledge-reaper-"), threads.get(0));
        assertTrue(threads.get(0).startsWith("pledge-timeout-"), threads.get(0));
        f.tm.rollback();
    }

    // ------------------------------------------------------------------ item 11

    @Test
    void commitOfATimedOutTransactionReturnsOnlyOnceEveryBranchIsRolledBackAndTheSynchronizationsWereTold() throws Exception {
        CountDownLatch rollingBack = new CountDownLatch(1);
        ScriptedXAResource a = slowRollback("a", rollingBack);
        List<Integer> told = new CopyOnWriteArrayList<>();
        f.tm.setTransactionTimeout(1);
        Transaction t = f.begin(a);
        t.registerSynchronization(afterRecorder("s", told));
        assertTrue(rollingBack.await(10, TimeUnit.SECONDS), "the reaper never rolled back: " + f.log);
        releaseLater(300);
        RollbackException e = assertThrows(RollbackException.class, f.tm::commit);
        assertTrue(e.getMessage().contains("timed out"), e.getMessage());
        assertEquals(1, f.log.count("a.rolledBack"), "commit returned before the rollback finished: " + f.log);
        assertEquals(List.of(Status.STATUS_ROLLEDBACK), told);
        assertEquals(Status.STATUS_ROLLEDBACK, t.getStatus());
        assertEquals(Status.STATUS_NO_TRANSACTION, f.tm.getStatus());
    }

    @Test
    void rollbackOfATimedOutTransactionReturnsOnlyOnceEveryBranchIsRolledBackAndTheSynchronizationsWereTold() throws Exception {
        CountDownLatch rollingBack = new CountDownLatch(1);
        ScriptedXAResource a = slowRollback("a", rollingBack);
        List<Integer> told = new CopyOnWriteArrayList<>();
        f.tm.setTransactionTimeout(1);
        Transaction t = f.begin(a);
        t.registerSynchronization(afterRecorder("s", told));
        assertTrue(rollingBack.await(10, TimeUnit.SECONDS), "the reaper never rolled back: " + f.log);
        releaseLater(300);
        f.tm.rollback();
        assertEquals(1, f.log.count("a.rolledBack"), "rollback returned before the reaper's rollback finished: " + f.log);
        assertEquals(List.of(Status.STATUS_ROLLEDBACK), told);
        assertEquals(Status.STATUS_ROLLEDBACK, t.getStatus());
        assertEquals(1, f.log.count("a.rollback"), "rolled back once: " + f.log);
    }

    private void releaseLater(long millis) {
        Thread releaser = new Thread(() -> {
            try {
                Thread.sleep(millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            release.countDown();
        }, "releaser");
        releaser.setDaemon(true);
        releaser.start();
    }

    // ------------------------------------------------------------------ item 13

    /** HHH-12448: a before-completion callback blocks until the transaction is rolled back by its timeout. */
    @Test
    void aTimeoutEndsATransactionStuckInBeforeCompletion() throws Exception {
        ScriptedXAResource a = f.resource("a");
        List<Integer> told = new CopyOnWriteArrayList<>();
        AtomicBoolean sawRolledBack = new AtomicBoolean();
        f.tm.setTransactionTimeout(1);
        TransactionImpl t = (TransactionImpl) f.begin(a);
        t.registerSynchronization(new Synchronization() {
            @Override
            public void beforeCompletion() {
                long giveUp = System.nanoTime() + 10_000_000_000L;
                while (t.getStatus() != Status.STATUS_ROLLEDBACK && System.nanoTime() < giveUp) {
                    try {
                        Thread.sleep(10);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
                sawRolledBack.set(t.getStatus() == Status.STATUS_ROLLEDBACK);
            }

            @Override
            public void afterCompletion(int status) {
                told.add(status);
            }
        });
        long started = System.nanoTime();
        RollbackException e = assertThrows(RollbackException.class, f.tm::commit);
        long tookMillis = (System.nanoTime() - started) / 1_000_000;
        assertTrue(e.getMessage().contains("timed out"), e.getMessage());
        assertTrue(sawRolledBack.get(), "the transaction stuck in beforeCompletion was never rolled back: " + f.log);
        assertTrue(tookMillis < 5_000, "commit took " + tookMillis + " ms");
        assertEquals(List.of(Status.STATUS_ROLLEDBACK), told, "afterCompletion runs exactly once");
        assertEquals(1, f.log.count("a.rollback"), f.log.toString());
        assertEquals(0, f.log.count("a.prepare") + f.log.count("a.commit"), f.log.toString());
        assertEquals(Status.STATUS_ROLLEDBACK, t.getStatus());
        assertEquals(1, f.svc.metrics().getTimedOut());
    }

    @Test
    void aBeforeCompletionThatOutlivesTheTimeoutAndReturnsStillEndsInRollbackNotCommit() throws Exception {
        ScriptedXAResource a = f.resource("a");
        ScriptedXAResource b = f.resource("b");
        List<Integer> told = new CopyOnWriteArrayList<>();
        AtomicLong statusAfterSleep = new AtomicLong(-1);
        f.tm.setTransactionTimeout(1);
        TransactionImpl t = (TransactionImpl) f.begin(a, b);
        t.registerSynchronization(new Synchronization() {
            @Override
            public void beforeCompletion() {
                try {
                    Thread.sleep(1_500); // a slow flush, past the deadline
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                statusAfterSleep.set(t.getStatus());
            }

            @Override
            public void afterCompletion(int status) {
                told.add(status);
            }
        });
        assertThrows(RollbackException.class, f.tm::commit);
        assertTrue(statusAfterSleep.get() == Status.STATUS_ROLLING_BACK || statusAfterSleep.get() == Status.STATUS_ROLLEDBACK,
                "status after the deadline: " + statusAfterSleep.get());
        assertEquals(List.of(Status.STATUS_ROLLEDBACK), told, "afterCompletion runs exactly once");
        assertEquals(1, f.log.count("a.rollback"), f.log.toString());
        assertEquals(1, f.log.count("b.rollback"), f.log.toString());
        assertEquals(0, f.log.count("a.prepare") + f.log.count("b.prepare"), f.log.toString());
        assertTrue(f.journal.commits.isEmpty());
    }
    @Test
    void aSynchronizationThatFailsAfterTheTimeoutTookTheTransactionChangesNothingMore() throws Exception {
        ScriptedXAResource a = f.resource("a");
        ScriptedXAResource late = f.resource("late");
        List<Integer> told = new CopyOnWriteArrayList<>();
        List<Exception> enlistFailures = new CopyOnWriteArrayList<>();
        f.tm.setTransactionTimeout(1);
        TransactionImpl t = (TransactionImpl) f.begin(a);
        t.registerSynchronization(new Synchronization() {
            @Override
            public void beforeCompletion() {
                long giveUp = System.nanoTime() + 10_000_000_000L;
                while (t.getStatus() == Status.STATUS_ACTIVE && System.nanoTime() < giveUp) {
                    try {
                        Thread.sleep(5);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
                try {
                    t.enlistResource(late); // a flush that needs one more connection, too late
                } catch (Exception e) {
                    enlistFailures.add(e);
                    throw new IllegalStateException("flush failed", e);
                }
            }

            @Override
            public void afterCompletion(int status) {
                told.add(status);
            }
        });
        RollbackException e = assertThrows(RollbackException.class, f.tm::commit);
        assertTrue(e.getMessage().contains("timed out"), e.getMessage());
        assertEquals(1, enlistFailures.size());
        assertTrue(enlistFailures.get(0) instanceof RollbackException, enlistFailures.toString());
        assertEquals(0, late.started.size());
        assertEquals(List.of(Status.STATUS_ROLLEDBACK), told, "afterCompletion runs exactly once");
        assertEquals(1, f.log.count("a.rollback"), f.log.toString());
        assertEquals(1, f.svc.metrics().getTimedOut());
    }

    /** From the end of beforeCompletion on, the commit owns the transaction: a deadline passing while it ends its branches changes nothing. */
    @Test
    void aDeadlinePassingWhileCommitEndsItsBranchesStillCommits() throws Exception {
        ScriptedXAResource a = new ScriptedXAResource("a", f.log) {
            @Override
            public void end(Xid xid, int flags) throws XAException {
                try {
                    Thread.sleep(1_300); // past the 1 s timeout, with the reaper running every 20 ms
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                super.end(xid, flags);
            }
        };
        ScriptedXAResource b = f.resource("b");
        List<Integer> told = new CopyOnWriteArrayList<>();
        f.tm.setTransactionTimeout(1);
        Transaction t = f.begin(a, b);
        t.registerSynchronization(afterRecorder("s", told));
        f.tm.commit();
        assertEquals(Status.STATUS_COMMITTED, t.getStatus());
        assertEquals(List.of(Status.STATUS_COMMITTED), told);
        assertEquals(0, f.log.count("a.rollback") + f.log.count("b.rollback"), f.log.toString());
        assertEquals(1, f.log.count("a.commit(false)"));
        assertEquals(0, f.svc.metrics().getTimedOut());
    }
}
