package dev.pledge.jee.hibernate;

import dev.pledge.jee.PledgeUserTransaction;
import dev.pledge.jee.ServiceRegistry;
import dev.pledge.tm.TransactionService;
import jakarta.transaction.Status;
import jakarta.transaction.Synchronization;
import jakarta.transaction.SystemException;
import jakarta.transaction.Transaction;
import jakarta.transaction.TransactionManager;
import jakarta.transaction.UserTransaction;
import java.util.Map;
import org.hibernate.engine.transaction.jta.platform.spi.JtaPlatform;
import org.hibernate.service.spi.Configurable;

/**
 * Hibernate ORM's view of Pledge. Hibernate finds it with no setting through
 * {@link PledgeJtaPlatformProvider}; it then takes its {@link TransactionService} from the Hibernate
 * setting {@value #SERVICE} (the service itself, or its node name), else the only service in the
 * {@link ServiceRegistry} (the one the CDI extension or the JNDI factories started). Hibernate's
 * synchronizations are registered as interposed ones, so they run after the application's
 * {@code beforeCompletion} and before its {@code afterCompletion}.
 */
public final class PledgeJtaPlatform implements JtaPlatform, Configurable {
    /** Hibernate setting: the {@link TransactionService} to use, or the node name of a registered one. */
    public static final String SERVICE = "pledge.transactionService";

    private volatile TransactionService service;

    /** A platform that finds its service when Hibernate configures it. */
    public PledgeJtaPlatform() {
    }

    /** A platform on {@code service}, to pass as {@code hibernate.transaction.jta.platform}. */
    public PledgeJtaPlatform(TransactionService service) {
        this.service = service;
    }

    @Override
    public void configure(Map<String, Object> settings) {
        if (service != null) {
            return;
        }
        Object chosen = settings.get(SERVICE);
        if (chosen instanceof TransactionService svc) {
            service = svc;
        } else if (chosen instanceof String name) {
            service = ServiceRegistry.require(name);
        } else if (chosen != null) {
            throw new IllegalArgumentException("Hibernate setting " + SERVICE + " must be a TransactionService or a node name, not a "
                    + chosen.getClass().getName());
        } else {
            service = only();
        }
    }

    private static TransactionService only() {
        return ServiceRegistry.only("set the Hibernate setting " + SERVICE + " to the TransactionService or its node name");
    }

    private TransactionService service() {
        TransactionService svc = service;
        if (svc == null) {
            svc = only();
            service = svc;
        }
        return svc;
    }

    @Override
    public TransactionManager retrieveTransactionManager() {
        return service().transactionManager();
    }

    @Override
    public UserTransaction retrieveUserTransaction() {
        return PledgeUserTransaction.of(service());
    }

    /** Pledge's transactions are equal, and hash, by their global id: the transaction is its own identifier. */
    @Override
    public Object getTransactionIdentifier(Transaction transaction) {
        return transaction;
    }

    @Override
    public boolean canRegisterSynchronization() {
        return service().synchronizationRegistry().getTransactionStatus() == Status.STATUS_ACTIVE;
    }

    @Override
    public void registerSynchronization(Synchronization synchronization) {
        service().synchronizationRegistry().registerInterposedSynchronization(synchronization);
    }

    @Override
    public int getCurrentStatus() throws SystemException {
        return service().transactionManager().getStatus();
    }

    @Override
    public String toString() {
        TransactionService svc = service;
        return "Pledge JtaPlatform" + (svc == null ? "" : " of node " + svc.nodeName());
    }
}
