package dev.pledge.tm;

import jakarta.transaction.Status;
import jakarta.transaction.Synchronization;
import jakarta.transaction.TransactionSynchronizationRegistry;

/** The JTA registry for frameworks: keys, per-transaction resources and interposed synchronizations. */
final class SynchronizationRegistryImpl implements TransactionSynchronizationRegistry {
    private final TransactionManagerImpl tm;

    SynchronizationRegistryImpl(TransactionManagerImpl tm) {
        this.tm = tm;
    }

    /** The gtrid: equal and equally hashed for every call within one transaction. */
    @Override
    public Object getTransactionKey() {
        TransactionImpl tx = tm.current();
        return tx == null ? null : tx.gtrid;
    }

    @Override
    public void putResource(Object key, Object value) {
        required("putResource").putRegistryResource(key, value);
    }

    @Override
    public Object getResource(Object key) {
        return required("getResource").getRegistryResource(key);
    }

    @Override
    public void registerInterposedSynchronization(Synchronization sync) {
        required("registerInterposedSynchronization").registerInterposedSynchronization(sync);
    }

    @Override
    public int getTransactionStatus() {
        TransactionImpl tx = tm.current();
        return tx == null ? Status.STATUS_NO_TRANSACTION : tx.getStatus();
    }

    @Override
    public void setRollbackOnly() {
        required("setRollbackOnly").setRollbackOnly();
    }

    @Override
    public boolean getRollbackOnly() {
        int s = required("getRollbackOnly").getStatus();
        return s == Status.STATUS_MARKED_ROLLBACK || s == Status.STATUS_ROLLING_BACK || s == Status.STATUS_ROLLEDBACK;
    }

    private TransactionImpl required(String what) {
        TransactionImpl tx = tm.current();
        if (tx == null) {
            throw new IllegalStateException(what + " needs a transaction, but none is associated with thread "
                    + Thread.currentThread().getName());
        }
        return tx;
    }
}
