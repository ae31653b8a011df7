package dev.pledge.jee.cdi;

import dev.pledge.tm.TransactionService;
import jakarta.enterprise.context.ContextNotActiveException;
import jakarta.enterprise.context.Destroyed;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.context.spi.AlterableContext;
import jakarta.enterprise.context.spi.Contextual;
import jakarta.enterprise.context.spi.CreationalContext;
import jakarta.enterprise.inject.spi.BeanManager;
import jakarta.transaction.Status;
import jakarta.transaction.SystemException;
import jakarta.transaction.Transaction;
import jakarta.transaction.TransactionScoped;
import jakarta.transaction.TransactionSynchronizationRegistry;
import java.lang.annotation.Annotation;
import java.util.function.Supplier;

/**
 * The {@code @TransactionScoped} context: the instances of one transaction live in a
 * {@link TransactionBeans} stored as a registry resource of that transaction (so they follow it
 * through suspend and resume) and are destroyed by an interposed synchronization after completion.
 */
final class TransactionScopedContext implements AlterableContext {
    private final Supplier<TransactionService> service;
    private final BeanManager beans;
    /** This context's key among the transaction's registry resources. */
    private final Object key = new Object();

    TransactionScopedContext(Supplier<TransactionService> service, BeanManager beans) {
        this.service = service;
        this.beans = beans;
    }

    @Override
    public Class<? extends Annotation> getScope() {
        return TransactionScoped.class;
    }

    @Override
    public boolean isActive() {
        return isActive(registry().getTransactionStatus());
    }

    static boolean isActive(int status) {
        return switch (status) {
            case Status.STATUS_ACTIVE, Status.STATUS_MARKED_ROLLBACK, Status.STATUS_PREPARING, Status.STATUS_PREPARED,
                    Status.STATUS_COMMITTING, Status.STATUS_ROLLING_BACK, Status.STATUS_UNKNOWN -> true;
            default -> false;
        };
    }

    @Override
    public <T> T get(Contextual<T> contextual, CreationalContext<T> creationalContext) {
        return store(true).get(contextual, creationalContext);
    }

    @Override
    public <T> T get(Contextual<T> contextual) {
        TransactionBeans store = store(false);
        return store == null ? null : store.get(contextual, null);
    }

    @Override
    public void destroy(Contextual<?> contextual) {
        TransactionBeans store = store(false);
        if (store != null) {
            store.destroy(contextual);
        }
    }

    private TransactionBeans store(boolean create) {
        TransactionSynchronizationRegistry tsr = registry();
        int status = tsr.getTransactionStatus();
        if (!isActive(status)) {
            throw new ContextNotActiveException("@TransactionScoped needs an active transaction on thread "
                    + Thread.currentThread().getName() + ", but its status is " + statusName(status));
        }
        TransactionBeans store = (TransactionBeans) tsr.getResource(key);
        if (store == null && create) {
            if (status != Status.STATUS_ACTIVE && status != Status.STATUS_MARKED_ROLLBACK) {
                // the registry takes no synchronization once two-phase commit has begun, and without one nothing would
                // destroy the instances: the transaction's first @TransactionScoped instance must come before its commit
                throw new IllegalStateException("The first @TransactionScoped instance of a transaction cannot be created once it"
                        + " has begun to complete (status " + statusName(status) + " on thread " + Thread.currentThread().getName()
                        + "): nothing could destroy it afterwards. Use a @TransactionScoped bean before the transaction commits;"
                        + " from then on the transaction's instances stay usable until it has completed");
            }
            Transaction tx = transaction();
            store = new TransactionBeans(tx, () -> fire(Destroyed.Literal.of(TransactionScoped.class), tx));
            tsr.putResource(key, store);
            tsr.registerInterposedSynchronization(store);
            fire(Initialized.Literal.of(TransactionScoped.class), tx);
        }
        return store;
    }

    private void fire(Annotation qualifier, Transaction tx) {
        beans.getEvent().select(qualifier).fire(tx);
    }

    private Transaction transaction() {
        try {
            return service.get().transactionManager().getTransaction();
        } catch (SystemException e) {
            throw new IllegalStateException(e);
        }
    }

    private TransactionSynchronizationRegistry registry() {
        return service.get().synchronizationRegistry();
    }

    private static String statusName(int status) {
        return switch (status) {
            case Status.STATUS_NO_TRANSACTION -> "NO_TRANSACTION";
            case Status.STATUS_COMMITTED -> "COMMITTED";
            case Status.STATUS_ROLLEDBACK -> "ROLLEDBACK";
            case Status.STATUS_PREPARING -> "PREPARING";
            case Status.STATUS_PREPARED -> "PREPARED";
            case Status.STATUS_COMMITTING -> "COMMITTING";
            case Status.STATUS_ROLLING_BACK -> "ROLLING_BACK";
            case Status.STATUS_UNKNOWN -> "UNKNOWN";
            default -> Integer.toString(status);
        };
    }
}
