package dev.pledge.xa.jdbc;

import dev.pledge.tm.PledgeXAResource;
import io.agroal.api.transaction.TransactionAware;
import javax.transaction.xa.XAException;
import javax.transaction.xa.XAResource;
import javax.transaction.xa.Xid;

/**
 * The branch of one pooled XA connection: the driver's {@link XAResource}, named after the data
 * source, that also tells Agroal's connection handler when its transaction starts and ends (so
 * auto-commit is switched off, and a failed connection is flushed from the pool instead of reused).
 */
final class EnlistedXAResource implements PledgeXAResource {
    private final String name;
    private final boolean joinable;
    private final TransactionAware connection;
    private final XAResource delegate;
    /** Whether Agroal was told that the connection is in the transaction (on its first successful start). */
    private volatile boolean connectionEnlisted;
    /** Prepared (XA_OK), and neither commit nor rollback was asked of it since: its outcome is left to recovery. */
    private volatile boolean leftPrepared;

    EnlistedXAResource(String name, boolean joinable, TransactionAware connection, XAResource delegate) {
        this.name = name;
        this.joinable = joinable;
        this.connection = connection;
        this.delegate = delegate;
    }

    @Override
    public String resourceName() {
        return name;
    }

    @Override
    public boolean joinable() {
        return joinable;
    }

    /**
     * Starts the branch (or joins another connection's), then, the first time, tells Agroal the
     * connection is enlisted (auto-commit off, kept out of the pool until completion). In that
     * order, a branch the database refuses leaves the connection untouched and idle in the pool, and
     * the data source has the pool validate it (see {@link EnlistmentException}); a connection that
     * cannot switch auto-commit off gets its branch rolled back before the error is raised.
     */
    @Override
    public void start(Xid xid, int flags) throws XAException {
        delegate.start(xid, flags);
        if (connectionEnlisted) {
            return; // the same connection again (resume or re-join of its own branch)
        }
        // The connection's first start, of a branch of its own (TMNOFLAGS) or joining another
        // connection's branch of the same database (TMJOIN): either way it now belongs to the transaction.
        try {
            connection.transactionStart();
            connectionEnlisted = true;
        } catch (Exception e) {
            try {
                delegate.end(xid, TMFAIL);
                if (flags == TMNOFLAGS) {
                    delegate.rollback(xid); // a joined branch is the other connection's to finish
                }
            } catch (XAException | RuntimeException rollbackFailed) {
                e.addSuppressed(rollbackFailed);
            }
            throw xa(XAException.XAER_RMFAIL, "could not switch auto-commit off on data source '" + name + "'", e);
        }
    }

    @Override
    public void end(Xid xid, int flags) throws XAException {
        try {
            delegate.end(xid, flags);
        } catch (XAException e) {
            if (!(flags == TMFAIL && e.errorCode >= XAException.XA_RBBASE && e.errorCode <= XAException.XA_RBEND)) {
                connection.setFlushOnly();
            }
            throw e;
        } catch (RuntimeException e) {
            connection.setFlushOnly();
            throw xa(XAException.XAER_RMFAIL, "could not end the branch on data source '" + name + "'", e);
        }
    }

    /**
     * Whether the branch was prepared and then neither committed nor rolled back through this
     * connection (the coordinator left its outcome to recovery: a decision whose write has no known
     * outcome, a node fenced by a takeover). MariaDB keeps such a branch attached to the session that
     * prepared it, and answers every other session XAER_NOTA for it until that session ends: the
     * connection must be closed, never pooled, so that recovery (this node's or an adopting peer's)
     * can finish the branch.
     */
    boolean leftPrepared() {
        return leftPrepared;
    }

    @Override
    public int prepare(Xid xid) throws XAException {
        try {
            int vote = delegate.prepare(xid);
            leftPrepared = vote == XA_OK;
            return vote;
        } catch (XAException e) {
            connection.setFlushOnly();
            throw e;
        }
    }

    @Override
    public void commit(Xid xid, boolean onePhase) throws XAException {
        leftPrepared = false; // finished here, or flushed on failure below
        try {
            connection.transactionBeforeCompletion(true);
            delegate.commit(xid, onePhase);
        } catch (XAException e) {
            connection.setFlushOnly();
            throw e;
        }
    }

    @Override
    public void rollback(Xid xid) throws XAException {
        leftPrepared = false;
        try {
            connection.transactionBeforeCompletion(false);
            delegate.rollback(xid);
        } catch (XAException e) {
            connection.setFlushOnly();
            throw e;
        }
    }

    @Override
    public void forget(Xid xid) throws XAException {
        delegate.forget(xid);
    }

    @Override
    public Xid[] recover(int flag) throws XAException {
        return delegate.recover(flag);
    }

    @Override
    public boolean isSameRM(XAResource other) throws XAException {
        return delegate.isSameRM(other instanceof EnlistedXAResource e ? e.delegate : other);
    }

    @Override
    public int getTransactionTimeout() throws XAException {
        return delegate.getTransactionTimeout();
    }

    @Override
    public boolean setTransactionTimeout(int seconds) throws XAException {
        return delegate.setTransactionTimeout(seconds);
    }

    static XAException xa(int code, String message, Throwable cause) {
        XAException e = new XAException(message + ": " + cause);
        e.errorCode = code;
        e.initCause(cause);
        return e;
    }

    @Override
    public String toString() {
        return name + "(" + delegate + ")";
    }
}
