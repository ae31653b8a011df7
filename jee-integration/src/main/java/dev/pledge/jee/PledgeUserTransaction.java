package dev.pledge.jee;

import dev.pledge.tm.TransactionService;
import jakarta.transaction.HeuristicMixedException;
import jakarta.transaction.HeuristicRollbackException;
import jakarta.transaction.NotSupportedException;
import jakarta.transaction.RollbackException;
import jakarta.transaction.SystemException;
import jakarta.transaction.UserTransaction;
import java.io.Serial;
import java.io.Serializable;
import java.util.function.Supplier;
import javax.naming.Reference;
import javax.naming.Referenceable;
import javax.naming.StringRefAddr;

/**
 * The {@link UserTransaction} that containers bind and serialize: it names its service by node name,
 * so a copy made by serialization or rebuilt from its JNDI {@link Reference} reaches the same running
 * service through the {@link ServiceRegistry}. In CDI it refuses to be used inside a
 * {@code @Transactional} method, as the JTA specification requires.
 */
public final class PledgeUserTransaction implements UserTransaction, Serializable, Referenceable {
    @Serial
    private static final long serialVersionUID = 1L;
    /** The JNDI object factory that turns the {@link Reference} back into a user transaction. */
    public static final String FACTORY = "dev.pledge.jee.naming.UserTransactionFactory";

    private final String nodeName;
    /**
     * Why a call is refused here and now, or null when it is allowed. Not serializable itself: a copy
     * asks the guard the {@link ServiceRegistry} holds for its node instead (see {@link #readResolve}).
     */
    private final transient Supplier<String> refusal;
    /** Whether this one is guarded; kept by serialization so that a copy is guarded too. */
    private final boolean guarded;
    private transient volatile UserTransaction delegate;

    private PledgeUserTransaction(String nodeName, UserTransaction delegate, Supplier<String> refusal) {
        this.nodeName = nodeName;
        this.delegate = delegate;
        this.refusal = refusal;
        this.guarded = refusal != null;
    }

    /** The user transaction of {@code service}. */
    public static PledgeUserTransaction of(TransactionService service) {
        return new PledgeUserTransaction(service.nodeName(), service.userTransaction(), null);
    }

    /** The user transaction of {@code service}, refusing every call while {@code refusal} gives a reason. */
    public static PledgeUserTransaction refusingWhen(TransactionService service, Supplier<String> refusal) {
        return new PledgeUserTransaction(service.nodeName(), service.userTransaction(), refusal);
    }

    /** The node name of the service this transaction belongs to. */
    public String nodeName() {
        return nodeName;
    }

    private UserTransaction delegate(String method) {
        if (refusal != null) {
            String why = refusal.get();
            if (why != null) {
                throw new IllegalStateException("UserTransaction." + method + "() is not allowed " + why);
            }
        }
        UserTransaction ut = delegate;
        if (ut == null) {
            ut = ServiceRegistry.require(nodeName).userTransaction();
            delegate = ut;
        }
        return ut;
    }

    @Override
    public void begin() throws NotSupportedException, SystemException {
        delegate("begin").begin();
    }

    @Override
    public void commit() throws RollbackException, HeuristicMixedException, HeuristicRollbackException, SecurityException,
            IllegalStateException, SystemException {
        delegate("commit").commit();
    }

    @Override
    public void rollback() throws IllegalStateException, SecurityException, SystemException {
        delegate("rollback").rollback();
    }

    @Override
    public void setRollbackOnly() throws IllegalStateException, SystemException {
        delegate("setRollbackOnly").setRollbackOnly();
    }

    @Override
    public int getStatus() throws SystemException {
        return delegate("getStatus").getStatus();
    }

    @Override
    public void setTransactionTimeout(int seconds) throws SystemException {
        delegate("setTransactionTimeout").setTransactionTimeout(seconds);
    }

    /** A reference naming the service, for containers that bind references rather than objects. */
    @Override
    public Reference getReference() {
        return new Reference(UserTransaction.class.getName(), new StringRefAddr("nodeName", nodeName), FACTORY, null);
    }

    @Serial
    private Object readResolve() {
        return new PledgeUserTransaction(nodeName, null, guarded ? () -> ServiceRegistry.userTransactionRefusal(nodeName) : null);
    }

    @Override
    public String toString() {
        return "Pledge UserTransaction of node " + nodeName;
    }
}
