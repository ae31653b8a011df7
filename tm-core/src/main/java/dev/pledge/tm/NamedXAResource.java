package dev.pledge.tm;

import java.util.Objects;
import javax.transaction.xa.XAException;
import javax.transaction.xa.XAResource;
import javax.transaction.xa.Xid;

/** A plain {@link XAResource} with a name and a join policy; everything else is delegated. */
final class NamedXAResource implements PledgeXAResource, AutoCloseable {
    private final String name;
    private final boolean joinable;
    private final XAResource delegate;
    private final AutoCloseable onClose;

    NamedXAResource(String name, boolean joinable, XAResource delegate, AutoCloseable onClose) {
        this.onClose = onClose;
        this.name = Objects.requireNonNull(name, "resourceName");
        this.joinable = joinable;
        this.delegate = Objects.requireNonNull(delegate, "delegate");
    }

    @Override
    public String resourceName() {
        return name;
    }

    @Override
    public boolean joinable() {
        return joinable;
    }

    @Override
    public void commit(Xid xid, boolean onePhase) throws XAException {
        delegate.commit(xid, onePhase);
    }

    @Override
    public void end(Xid xid, int flags) throws XAException {
        delegate.end(xid, flags);
    }

    @Override
    public void forget(Xid xid) throws XAException {
        delegate.forget(xid);
    }

    @Override
    public int getTransactionTimeout() throws XAException {
        return delegate.getTransactionTimeout();
    }

    @Override
    public boolean isSameRM(XAResource other) throws XAException {
        return delegate.isSameRM(other instanceof NamedXAResource n ? n.delegate : other);
    }

    @Override
    public int prepare(Xid xid) throws XAException {
        return delegate.prepare(xid);
    }

    @Override
    public Xid[] recover(int flag) throws XAException {
        return delegate.recover(flag);
    }

    @Override
    public void rollback(Xid xid) throws XAException {
        delegate.rollback(xid);
    }

    @Override
    public boolean setTransactionTimeout(int seconds) throws XAException {
        return delegate.setTransactionTimeout(seconds);
    }

    @Override
    public void start(Xid xid, int flags) throws XAException {
        delegate.start(xid, flags);
    }

    /** Runs the close action given at construction, if any. */
    @Override
    public void close() throws Exception {
        if (onClose != null) {
            onClose.close();
        }
    }

    @Override
    public String toString() {
        return name + "(" + delegate + ")";
    }
}
