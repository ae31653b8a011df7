package dev.pledge.tm;

import dev.pledge.tm.log.Gtrid;
import dev.pledge.tm.log.Journal;

import jakarta.transaction.HeuristicMixedException;
import jakarta.transaction.HeuristicRollbackException;
import jakarta.transaction.InvalidTransactionException;
import jakarta.transaction.NotSupportedException;
import jakarta.transaction.RollbackException;
import jakarta.transaction.Status;
import jakarta.transaction.SystemException;
import jakarta.transaction.Transaction;
import jakarta.transaction.TransactionManager;
import dev.pledge.tm.trace.TransactionTracer;
import java.util.Collection;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Thread association and the set of live transactions of one service. The commit path takes no
 * lock shared between transactions: a thread-local lookup and one concurrent-map entry per transaction.
 */
final class TransactionManagerImpl implements TransactionManager, InDoubtListeners {

    /** What one thread is doing with this service: its transaction and the timeout for its next begin. */
    private static final class ThreadState {
        TransactionImpl tx;
        int timeoutSeconds;
    }

    private final ThreadLocal<ThreadState> threads = ThreadLocal.withInitial(ThreadState::new);
    private final ConcurrentHashMap<Gtrid, TransactionImpl> live = new ConcurrentHashMap<>();
    final Journal journal;
    final Counters counters;
    final PhaseRunner phases;
    /** Told of committed transactions with branches left to recovery, and when recovery completes them. */
    final InDoubtNotices inDoubt = new InDoubtNotices();
    private final XidFactory xids;
    private final int defaultTimeoutSeconds;
    /** {@link TransactionTracer#OFF} unless the service was given an OpenTelemetry. */
    final TransactionTracer tracer;

    TransactionManagerImpl(Journal journal, XidFactory xids, int defaultTimeoutSeconds, Counters counters, PhaseRunner phases,
                           TransactionTracer tracer) {
        this.journal = journal;
        this.tracer = tracer;
        this.phases = phases;
        this.xids = xids;
        this.defaultTimeoutSeconds = defaultTimeoutSeconds;
        this.counters = counters;
    }

    @Override
    public void addInDoubtListener(InDoubtListener listener) {
        inDoubt.addInDoubtListener(listener);
    }

    @Override
    public void removeInDoubtListener(InDoubtListener listener) {
        inDoubt.removeInDoubtListener(listener);
    }

    /** Why this service begins no new transaction (it is draining or closed), or null. */
    private volatile String draining;

    /** From now on {@link #begin} refuses, saying {@code why}. */
    void refuseNew(String why) {
        draining = why;
    }

    @Override
    public void begin() throws NotSupportedException, SystemException {
        ThreadState st = threads.get();
        TransactionImpl current = st.tx;
        if (current != null) {
            if (!current.isFinished() || current.timedOut()) {
                throw new NotSupportedException("Thread " + Thread.currentThread().getName() + " is already associated with "
                        + current + "; nested transactions are not supported"
                        + (current.timedOut() ? " (it timed out: call rollback() to clear it)" : ""));
            }
            st.tx = null; // completed from another thread: the association is stale
        }
        String refusal = journal.refusal();
        if (refusal == null) {
            refusal = draining;
        }
        if (refusal != null) {
            throw new SystemException("No new transaction: " + refusal);
        }
        int timeout = st.timeoutSeconds > 0 ? st.timeoutSeconds : defaultTimeoutSeconds;
        TransactionImpl tx = new TransactionImpl(this, xids.newGtrid(), timeout);
        tx.trace = tracer.transaction(tx.gtrid);
        live.put(tx.gtrid, tx);
        counters.begun.increment();
        st.tx = tx;
    }

    @Override
    public void commit() throws RollbackException, HeuristicMixedException, HeuristicRollbackException, SecurityException,
            IllegalStateException, SystemException {
        ThreadState st = threads.get();
        TransactionImpl tx = st.tx;
        if (tx == null) {
            throw new IllegalStateException("commit() called but no transaction is associated with thread " + Thread.currentThread().getName());
        }
        try {
            tx.commit();
        } finally {
            st.tx = null;
        }
    }

    @Override
    public void rollback() throws IllegalStateException, SecurityException, SystemException {
        ThreadState st = threads.get();
        TransactionImpl tx = st.tx;
        if (tx == null) {
            throw new IllegalStateException("rollback() called but no transaction is associated with thread " + Thread.currentThread().getName());
        }
        try {
            tx.rollback();
        } finally {
            st.tx = null;
        }
    }

    @Override
    public void setRollbackOnly() throws IllegalStateException, SystemException {
        TransactionImpl tx = current();
        if (tx == null) {
            throw new IllegalStateException("setRollbackOnly() called but no transaction is associated with thread "
                    + Thread.currentThread().getName());
        }
        tx.setRollbackOnly();
    }

    @Override
    public int getStatus() {
        TransactionImpl tx = current();
        return tx == null ? Status.STATUS_NO_TRANSACTION : tx.getStatus();
    }

    @Override
    public Transaction getTransaction() {
        return current();
    }

    TransactionImpl current() {
        return threads.get().tx;
    }

    /** Makes {@code tx} (or nothing, when null) the calling thread's transaction; for completion callbacks. */
    void associate(TransactionImpl tx) {
        threads.get().tx = tx;
    }

    @Override
    public void setTransactionTimeout(int seconds) throws SystemException {
        if (seconds < 0) {
            throw new SystemException("Transaction timeout must be 0 (the default) or positive, not " + seconds);
        }
        threads.get().timeoutSeconds = seconds;
    }

    @Override
    public Transaction suspend() {
        ThreadState st = threads.get();
        TransactionImpl tx = st.tx;
        st.tx = null;
        return tx;
    }

    @Override
    public void resume(Transaction transaction) throws InvalidTransactionException, IllegalStateException, SystemException {
        ThreadState st = threads.get();
        if (st.tx != null) {
            throw new IllegalStateException("Cannot resume " + transaction + ": thread " + Thread.currentThread().getName()
                    + " is already associated with " + st.tx);
        }
        if (transaction == null) {
            return;
        }
        if (!(transaction instanceof TransactionImpl tx) || tx.manager() != this) {
            throw new InvalidTransactionException("Cannot resume " + transaction + ": it does not belong to this transaction service");
        }
        if (tx.isFinished()) {
            throw new InvalidTransactionException("Cannot resume " + tx + ": it has completed");
        }
        st.tx = tx;
    }

    void finished(TransactionImpl tx) {
        live.remove(tx.gtrid);
    }

    boolean isLive(Gtrid gtrid) {
        return live.containsKey(gtrid);
    }

    Collection<TransactionImpl> liveTransactions() {
        return live.values();
    }
}
