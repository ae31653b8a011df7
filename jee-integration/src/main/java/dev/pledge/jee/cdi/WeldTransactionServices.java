package dev.pledge.jee.cdi;

import dev.pledge.tm.TransactionService;
import jakarta.enterprise.inject.spi.BeanManager;
import jakarta.transaction.RollbackException;
import jakarta.transaction.Status;
import jakarta.transaction.Synchronization;
import jakarta.transaction.SystemException;
import jakarta.transaction.UserTransaction;
import org.jboss.weld.manager.api.WeldManager;
import org.jboss.weld.transaction.spi.TransactionServices;

/**
 * Weld's view of the Pledge transactions, so that Weld (with its {@code weld-jta} module) defers
 * transactional observer methods ({@code @Observes(during = AFTER_SUCCESS)} and the other phases)
 * to the transaction's completion instead of calling them at once.
 * <p>
 * Weld makes one per container from {@code META-INF/services/org.jboss.weld.bootstrap.api.Service}
 * (it keeps a {@code TransactionServices} the container registered itself, such as WildFly's); the
 * container's {@link PledgeExtension} then {@linkplain #bind binds} it to itself, so it always acts
 * on the service that extension runs. Until then, and after the container shut down, there is no
 * active transaction and observers are called at once, as Weld does without this service.
 */
final class WeldTransactionServices implements TransactionServices {
    private volatile PledgeExtension extension;

    WeldTransactionServices() {
        // made by Weld's service loader
    }

    /** Binds the instance of {@code beans}' container to {@code extension}, if that container is Weld and uses this class. */
    static void bind(BeanManager beans, PledgeExtension extension) {
        if (beans instanceof WeldManager weld
                && weld.getServices().get(TransactionServices.class) instanceof WeldTransactionServices services) {
            services.extension = extension;
        }
    }

    private TransactionService running() {
        PledgeExtension ext = extension;
        return ext == null ? null : ext.running();
    }

    /**
     * A regular synchronization on the thread's transaction, as WildFly's {@code TransactionServices}
     * registers on Narayana: Pledge calls the regular ones' {@code beforeCompletion} before the
     * interposed ones (JTA 3.3.2), so a BEFORE_COMPLETION observer can still write through JPA or an
     * enlisted connection, and Hibernate's interposed synchronization flushes what it wrote. A
     * rollback-only transaction refuses it with a {@link RollbackException}, wrapped here like WildFly
     * does: Weld then calls the observers other than AFTER_SUCCESS at once.
     */
    @Override
    public void registerSynchronization(Synchronization synchronization) {
        try {
            TransactionService svc = running();
            if (svc == null) {
                throw new IllegalStateException("The Pledge transaction service is not running");
            }
            var tx = svc.transactionManager().getTransaction();
            if (tx == null) {
                throw new IllegalStateException("No transaction on this thread");
            }
            tx.registerSynchronization(synchronization);
        } catch (RollbackException | SystemException | IllegalStateException e) {
            // Weld looks at the cause: RollbackException or IllegalStateException mean "no longer deferrable"
            throw new IllegalStateException(e);
        }
    }

    /** Whether the thread has a transaction that has not completed (the statuses WildFly counts too). */
    @Override
    public boolean isTransactionActive() {
        TransactionService svc = running();
        if (svc == null) {
            return false;
        }
        int status = svc.synchronizationRegistry().getTransactionStatus();
        return status == Status.STATUS_ACTIVE || status == Status.STATUS_MARKED_ROLLBACK
                || status == Status.STATUS_PREPARING || status == Status.STATUS_PREPARED
                || status == Status.STATUS_COMMITTING || status == Status.STATUS_ROLLING_BACK;
    }

    /** The same guarded {@code UserTransaction} the extension's bean gives. */
    @Override
    public UserTransaction getUserTransaction() {
        PledgeExtension ext = extension;
        if (ext == null) {
            throw new IllegalStateException("The Pledge CDI extension has not started in this Weld container");
        }
        return ext.userTransaction();
    }

    @Override
    public void cleanup() {
        extension = null;
    }
}
