package dev.pledge.xa.jdbc;

import dev.pledge.tm.Recovery;
import io.agroal.api.transaction.TransactionAware;
import io.agroal.api.transaction.TransactionIntegration;
import jakarta.transaction.RollbackException;
import jakarta.transaction.Status;
import jakarta.transaction.Synchronization;
import jakarta.transaction.SystemException;
import jakarta.transaction.Transaction;
import jakarta.transaction.TransactionManager;
import jakarta.transaction.TransactionSynchronizationRegistry;
import java.sql.SQLException;
import java.util.concurrent.atomic.AtomicInteger;
import javax.transaction.xa.XAResource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Agroal's transaction SPI implemented on Pledge: a connection taken inside a transaction is
 * enlisted once, remembered in the synchronization registry under this data source's key (so every
 * further {@code getConnection()} of that transaction gets the same physical connection), and goes
 * back to the pool from an interposed synchronization when the transaction ends.
 * Agroal's recovery factory is registered with Pledge's {@link Recovery} under the data source name.
 */
final class PledgeTransactionIntegration implements TransactionIntegration {
    private static final Logger log = LoggerFactory.getLogger(PledgeTransactionIntegration.class);

    private final String name;
    private final boolean joinable;
    private final TransactionManager tm;
    private final TransactionSynchronizationRegistry tsr;
    private final Recovery recovery;
    /** What this pool registered for recovery, so that closing withdraws only its own registration. */
    private volatile java.util.function.Supplier<dev.pledge.tm.PledgeXAResource> registered;
    /** H2's recovery resources need a scan before each rollback ({@link RecoveryXAResource}). */
    private final boolean h2;
    /** This data source's key in the registry; one per data source, compared by identity. */
    private final Object key = new Object();

    PledgeTransactionIntegration(String name, boolean joinable, TransactionManager tm, TransactionSynchronizationRegistry tsr,
            Recovery recovery, boolean h2) {
        this.name = name;
        this.joinable = joinable;
        this.tm = tm;
        this.tsr = tsr;
        this.recovery = recovery;
        this.h2 = h2;
    }

    @Override
    public TransactionAware getTransactionAware() throws SQLException {
        Transaction tx = current();
        if (tx == null) {
            return null;
        }
        requireRunning(tx, status(tx));
        return (TransactionAware) tsr.getResource(key);
    }

    @Override
    public void associate(TransactionAware connection, XAResource xaResource) throws SQLException {
        Transaction tx = current();
        if (tx == null) {
            // Outside a transaction: auto-commit as usual; Agroal refuses commit()/rollback() if a transaction starts meanwhile.
            connection.transactionCheckCallback(this::threadHasActiveTransaction);
            return;
        }
        // Checked again: Agroal asked getTransactionAware() before waiting for a free connection, and the transaction
        // may have timed out meanwhile. Throwing here gives the connection back to the pool untouched.
        requireRunning(tx, status(tx));
        if (tsr.getResource(key) == connection) {
            connection.transactionStart(); // the same connection again in the same transaction
            connection.transactionCheckCallback(() -> isRunning(tx));
            return;
        }
        ReturnToPool returner = new ReturnToPool(name, connection);
        try {
            tsr.registerInterposedSynchronization(returner);
        } catch (RuntimeException e) {
            throw new SQLException("Data source '" + name + "' cannot take part in " + tx + ": " + e.getMessage(), e);
        }
        tsr.putResource(key, connection);
        XAResource branch = xaResource != null ? new EnlistedXAResource(name, joinable, connection, xaResource)
                : new LocalLastResource(name, connection);
        if (branch instanceof EnlistedXAResource enlisted) {
            returner.watch(enlisted);
        }
        try {
            if (!tx.enlistResource(branch)) {
                throw new SystemException("enlistResource returned false");
            }
        } catch (RollbackException | SystemException | RuntimeException e) {
            returner.disarm();
            tsr.putResource(key, null);
            throw new EnlistmentException("Data source '" + name + "' could not enlist in " + tx + ": " + e.getMessage(), e);
        }
        returner.arm();
        connection.transactionCheckCallback(() -> isRunning(tx));
        log.debug("{}: enlisted {} in {}", name, branch, tx);
    }

    @Override
    public boolean disassociate(TransactionAware connection) {
        return true;
    }

    @Override
    public void addResourceRecoveryFactory(ResourceRecoveryFactory factory) {
        if (!factory.isRecoverable()) {
            return; // a non-XA data source: nothing to recover
        }
        java.util.function.Supplier<dev.pledge.tm.PledgeXAResource> mine = RecoveryXAResource.supplier(name, factory::getRecoveryConnection, h2);
        registered = mine;
        recovery.register(name, mine);
    }

    @Override
    public void removeResourceRecoveryFactory(ResourceRecoveryFactory factory) {
        java.util.function.Supplier<dev.pledge.tm.PledgeXAResource> mine = registered;
        if (factory.isRecoverable() && mine != null) {
            recovery.unregister(name, mine); // not a successor's registration under the same name
        }
    }

    /**
     * A thread still associated with a transaction that is no longer active (rolled back by its
     * timeout or by another thread, or completing, as inside {@code afterCompletion}) gets no
     * connection at all: a plain auto-commit one would write at once on behalf of a transaction
     * that will not commit.
     */
    private void requireRunning(Transaction tx, int status) throws SQLException {
        if (status == Status.STATUS_ACTIVE || status == Status.STATUS_MARKED_ROLLBACK) {
            return;
        }
        String why = status == Status.STATUS_ROLLEDBACK || status == Status.STATUS_ROLLING_BACK
                ? "it has already rolled back (it timed out, or another thread rolled it back)"
                : "it is completing or has completed";
        throw new SQLException("Data source '" + name + "': the transaction of this thread, " + tx + ", is not active (status "
                + statusName(status) + ": " + why + "); no connection can take part in it, and none is handed out in its name. Roll back or"
                + " commit it on this thread to clear it, or suspend it to use a connection outside any transaction.", "25000");
    }

    private static String statusName(int status) {
        return switch (status) {
            case Status.STATUS_MARKED_ROLLBACK -> "MARKED_ROLLBACK";
            case Status.STATUS_PREPARING -> "PREPARING";
            case Status.STATUS_PREPARED -> "PREPARED";
            case Status.STATUS_COMMITTING -> "COMMITTING";
            case Status.STATUS_COMMITTED -> "COMMITTED";
            case Status.STATUS_ROLLING_BACK -> "ROLLING_BACK";
            case Status.STATUS_ROLLEDBACK -> "ROLLEDBACK";
            case Status.STATUS_NO_TRANSACTION -> "NO_TRANSACTION";
            case Status.STATUS_UNKNOWN -> "UNKNOWN";
            default -> String.valueOf(status);
        };
    }

    private Transaction current() throws SQLException {
        try {
            return tm.getTransaction();
        } catch (SystemException e) {
            throw new SQLException("Data source '" + name + "' could not read the transaction of this thread: " + e.getMessage(), e);
        }
    }

    private static int status(Transaction tx) throws SQLException {
        try {
            return tx.getStatus();
        } catch (SystemException e) {
            throw new SQLException(e.getMessage(), e);
        }
    }

    private boolean threadHasActiveTransaction() throws SQLException {
        Transaction tx = current();
        return tx != null && status(tx) == Status.STATUS_ACTIVE;
    }

    /** The enlisted connection belongs to {@code tx} until it completes, whichever thread completes it. */
    private static boolean isRunning(Transaction tx) throws SQLException {
        int s = status(tx);
        return s != Status.STATUS_COMMITTED && s != Status.STATUS_ROLLEDBACK && s != Status.STATUS_NO_TRANSACTION
                && s != Status.STATUS_UNKNOWN;
    }

    /**
     * Gives the connection back to the pool once its transaction is over (committed, rolled back or
     * timed out). Registered before the enlistment and armed after it succeeds; a completion that
     * runs between the two (a rollback by the reaper or another thread) is remembered and the
     * connection returned by {@link #arm()}, so it is never lost to the pool.
     */
    static final class ReturnToPool implements Synchronization {
        private static final int PENDING = 0;
        private static final int ARMED = 1;
        private static final int COMPLETED_BEFORE_ARMED = 2;
        private static final int DONE = 3;

        private final String name;
        private final TransactionAware connection;
        private final AtomicInteger state = new AtomicInteger(PENDING);
        private volatile EnlistedXAResource branch;

        ReturnToPool(String name, TransactionAware connection) {
            this.name = name;
            this.connection = connection;
        }

        /** The enlistment succeeded: the connection goes back at completion, or now if completion already ran. */
        void arm() {
            if (!state.compareAndSet(PENDING, ARMED) && state.compareAndSet(COMPLETED_BEFORE_ARMED, DONE)) {
                giveBack();
            }
        }

        /** The connection's XA branch: if it is left prepared at completion, the connection is closed instead of pooled. */
        void watch(EnlistedXAResource branch) {
            this.branch = branch;
        }

        /** The enlistment failed: Agroal takes the connection back itself. */
        void disarm() {
            state.set(DONE);
        }

        @Override
        public void beforeCompletion() {
        }

        @Override
        public void afterCompletion(int status) {
            if (state.compareAndSet(ARMED, DONE)) {
                giveBack();
            } else {
                state.compareAndSet(PENDING, COMPLETED_BEFORE_ARMED); // arm() gives it back
            }
        }

        private void giveBack() {
            EnlistedXAResource b = branch;
            if (b != null && b.leftPrepared()) {
                // MariaDB keeps the prepared branch attached to this session: only closing it lets recovery finish the branch
                log.warn("{}: the transaction ended with this connection's branch still prepared (its outcome is left to recovery);"
                        + " the connection is closed, not pooled, so that recovery can finish the branch", name);
                connection.setFlushOnly();
            }
            try {
                connection.transactionEnd();
            } catch (SQLException | RuntimeException e) {
                log.warn("{}: returning a connection to the pool after completion failed", name, e);
            }
        }
    }
}
