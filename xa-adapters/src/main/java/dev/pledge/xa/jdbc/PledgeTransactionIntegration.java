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
import java.util.concurrent.atomic.AtomicBoolean;
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
        int status = status(tx);
        if (status == Status.STATUS_ACTIVE || status == Status.STATUS_MARKED_ROLLBACK) {
            return (TransactionAware) tsr.getResource(key);
        }
        if (status == Status.STATUS_ROLLEDBACK || status == Status.STATUS_ROLLING_BACK) {
            throw new SQLException("Data source '" + name + "': " + tx + " has already rolled back (it timed out, or another thread"
                    + " rolled it back); no connection can take part in it. Roll back or commit it on this thread to clear it.");
        }
        return null; // completing or finished: a plain connection, as outside a transaction
    }

    @Override
    public void associate(TransactionAware connection, XAResource xaResource) throws SQLException {
        Transaction tx = current();
        int status = tx == null ? Status.STATUS_NO_TRANSACTION : status(tx);
        if (status != Status.STATUS_ACTIVE && status != Status.STATUS_MARKED_ROLLBACK) {
            // Outside a transaction: auto-commit as usual; Agroal refuses commit()/rollback() if a transaction starts meanwhile.
            connection.transactionCheckCallback(this::threadHasActiveTransaction);
            return;
        }
        if (tsr.getResource(key) == connection) {
            connection.transactionStart(); // the same connection again in the same transaction
            connection.transactionCheckCallback(() -> isRunning(tx));
            return;
        }
        ReturnToPool returner = new ReturnToPool(connection);
        try {
            tsr.registerInterposedSynchronization(returner);
        } catch (RuntimeException e) {
            throw new SQLException("Data source '" + name + "' cannot take part in " + tx + ": " + e.getMessage(), e);
        }
        tsr.putResource(key, connection);
        XAResource branch = xaResource != null ? new EnlistedXAResource(name, joinable, connection, xaResource)
                : new LocalLastResource(name, connection);
        try {
            if (!tx.enlistResource(branch)) {
                throw new SystemException("enlistResource returned false");
            }
        } catch (RollbackException | SystemException | RuntimeException e) {
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
        recovery.register(name, RecoveryXAResource.supplier(name, factory::getRecoveryConnection, h2));
    }

    @Override
    public void removeResourceRecoveryFactory(ResourceRecoveryFactory factory) {
        if (factory.isRecoverable()) {
            recovery.unregister(name);
        }
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

    /** Gives the connection back to the pool once its transaction is over (committed, rolled back or timed out). */
    private final class ReturnToPool implements Synchronization {
        private final TransactionAware connection;
        private final AtomicBoolean armed = new AtomicBoolean();

        ReturnToPool(TransactionAware connection) {
            this.connection = connection;
        }

        void arm() {
            armed.set(true);
        }

        @Override
        public void beforeCompletion() {
        }

        @Override
        public void afterCompletion(int status) {
            if (!armed.getAndSet(false)) {
                return; // enlistment failed: Agroal already took the connection back
            }
            try {
                connection.transactionEnd();
            } catch (SQLException | RuntimeException e) {
                log.warn("{}: returning a connection to the pool after completion failed", name, e);
            }
        }
    }
}
